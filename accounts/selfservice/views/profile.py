"""Signed in: the self-service menu (docs/journeys.md#menu), one's security and help-desk questions and
their trial (docs/journeys.md#questions), the history of changes, and the password of this account and
of the linked ones (docs/journeys.md#links-passwords)."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, TemplateView

from accounts import guard
from accounts.selectors import audit_entries_about
from accounts.views import ChangePasswordView
from portal.modules import all_modules

from .. import actions, proofs, selectors
from .. import flow as flows
from ..forms import AnswersForm, ChangePasswordsForm, QuestionsFormSetFactory
from ..models import SecurityAnswer
from .base import signed_in

HISTORY_LENGTH = 50
# The most rows a questions page shows, whatever a crafted form asks for (the catalogue's size).
MOST_ROWS = 9


@login_required
@never_cache
def menu(request):
    """The self-service menu and its entries (docs/journeys.md#menu-entries)."""
    counts = selectors.proof_counts(user=request.user)
    context = {
        "question_count": counts.questions,
        "device_count": counts.devices,
    }
    return render(request, "selfservice/menu.html", context)


@signed_in
class QuestionsView(TemplateView):
    """Choose questions from the tenant's catalogue, type the answers, add or remove rows; "questions
    still required [n]" until the tenant's count is reached (docs/journeys.md#questions-set)."""

    template_name = "selfservice/questions.html"
    purpose = SecurityAnswer.Purpose.SELF

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.user = request.user
        tenant = request.user.tenant if request.user.is_authenticated else None
        if tenant is not None:
            self.required = (
                tenant.selfservice_settings.security_question_count
                if self.purpose == SecurityAnswer.Purpose.SELF
                else tenant.selfservice_settings.helpdesk_question_count
            )
            self.catalogue = selectors.offered_questions(tenant=tenant)

    def formset(self, data=None):
        existing = selectors.answers_of(user=self.user, purpose=self.purpose)
        offered = {q.pk for q in self.catalogue}
        # A question withdrawn from the catalogue stays choosable for whoever already answered it.
        catalogue = self.catalogue + [a.question for a in existing if a.question_id not in offered]
        rows = max(self.required, len(existing), 1)
        if data is not None:
            try:
                rows = max(rows, min(int(data.get("form-TOTAL_FORMS", rows)), MOST_ROWS))
            except ValueError:
                pass
            if "add" in data:
                rows = min(rows + 1, MOST_ROWS)
        initial = [{"question": str(a.question_id)} for a in existing]
        if data is not None and "add" in data:
            data = data.copy()
            data["form-TOTAL_FORMS"] = str(rows)
        formset = QuestionsFormSetFactory(
            data,
            initial=initial,
            user=self.user,
            purpose=self.purpose,
            required=self.required,
            catalogue=catalogue,
            existing=existing,
            form_kwargs={},
        )
        formset.extra = max(0, rows - len(initial))
        return formset, existing

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if "formset" not in context:
            context["formset"], existing = self.formset()
        else:
            existing = context.pop("existing")
        context.update(
            purpose=self.purpose,
            required=self.required,
            still_required=max(0, self.required - len(existing)),
            helpdesk=self.purpose == SecurityAnswer.Purpose.HELPDESK,
        )
        return context

    def post(self, request, *args, **kwargs):
        formset, existing = self.formset(request.POST)
        if "add" in request.POST or not formset.is_valid():
            return self.render_to_response(self.get_context_data(formset=formset, existing=existing))
        actions.do_save_answers(
            user=self.user,
            purpose=self.purpose,
            rows=formset.cleaned_data,
            existing=existing,
            request=request,
        )
        messages.success(request, _("Your security questions are updated."))
        return redirect(request.path)


class HelpDeskQuestionsView(QuestionsView):
    """The questions an agent asks on the phone (docs/journeys.md#questions-helpdesk)."""

    purpose = SecurityAnswer.Purpose.HELPDESK


@signed_in
class TryQuestionsView(FormView):
    """Answer each question; the page says which ones are wrong. Each wrong try counts towards the
    account's lockout, like any other failure (docs/journeys.md#questions-try)."""

    template_name = "selfservice/try_questions.html"
    form_class = AnswersForm

    def get_form_kwargs(self):
        self.answers = selectors.active_answers(user=self.request.user)
        return {**super().get_form_kwargs(), "questions": [a.question for a in self.answers]}

    def form_valid(self, form):
        if not self.answers:
            return redirect("selfservice:questions")  # nothing to try: no attempt, no counter touched
        results = {}

        def check():
            results.update(proofs.check_answers(self.answers, form.given(self.answers)))
            return all(results.values())

        user = self.request.user
        outcome = guard.check_secret(
            self.request,
            account=user,
            identifier=user.identifier,
            check=check,
            hashes=len(self.answers),
            audit=guard.PROOF_FAILED,
            details={"step": self.request.resolver_match.url_name},
        )
        wrong = [a.question for a in self.answers if not results.get(a.pk, False)]
        # The answers typed are not shown back (someone may be looking over a shoulder).
        blank = AnswersForm(questions=[a.question for a in self.answers])
        return self.render_to_response(
            self.get_context_data(
                form=blank, tried=True, all_right=outcome.ok, wrong=wrong, error=outcome.error
            )
        )


def history_actions() -> set[str]:
    """What the self-service history shows: every labelled "selfservice." action (the devices' and the
    refused proofs' are declared by the core under that prefix), but not each sign-in."""
    labelled = {action for module in all_modules() for action in module.audit_actions}
    return {a for a in labelled if a.startswith("selfservice.")} - {"selfservice.signed_in"}


@login_required
@never_cache
def history(request):
    """The history of changes: questions, links, recoveries, unlocks and refused proofs, dated
    (docs/journeys.md#questions-history)."""
    user = request.user
    entries = audit_entries_about(tenant=user.tenant, target=user, actions=history_actions())
    return render(request, "selfservice/history.html", {"entries": entries[:HISTORY_LENGTH]})


class ChangePasswordsView(ChangePasswordView):
    """The password of this account and, if chosen, of linked ones (docs/journeys.md#links-passwords).
    Just signed in by questions or device, the current password is not asked again."""

    template_name = "selfservice/change_passwords.html"
    form_class = ChangePasswordsForm
    success_url = "selfservice:menu"

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "linked": selectors.linked_accounts(user=self.request.user),
            "ask_current": not flows.signed_in_by_proof_recently(self.request),
        }

    def form_valid(self, form):
        actions.do_change_passwords(
            user=self.request.user,
            raw_password=form.cleaned_data["new_password1"],
            linked=form.chosen(),
            request=self.request,
        )
        update_session_auth_hash(self.request, self.request.user)
        flows.forget_proof(self.request)
        messages.success(self.request, self.success_message)
        return redirect(self.success_url)
