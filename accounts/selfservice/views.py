"""Password self-service (seeds 000 and 002): sign in by password, security questions or mobile
device; recover a password or an identifier by questions, PIN or identity data; unlock an account;
manage one's questions, devices and linked accounts.

The signed-out journeys keep their state in the session (proofs.FLOW_KEY): the identifier typed, the
step reached, and which account proved itself. Until a proof succeeds, every page is the same whether
the identifier names an account or not."""

import hmac
import time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django.views.generic import FormView, TemplateView

from accounts import actions as account_actions
from accounts import guard, lockout, stages
from accounts.devices import AuthenticatorDevice
from accounts.forms import WRONG_CREDENTIALS, NewPasswordForm, fold
from accounts.models import User
from accounts.password_rules import rules_context
from accounts.selectors import user_for_sign_in
from accounts.views import ChangePasswordView
from portal.models import AuditEntry, Tenant
from portal.modules import tenants_with

from . import actions, proofs
from .forms import (
    INCORRECT_ANSWERS,
    NO_MATCH,
    WRONG_CODE,
    AnswersForm,
    ChangePasswordsForm,
    DeviceCodeForm,
    IdentifierForm,
    IdentityForm,
    LinkAccountForm,
    MailCodeForm,
    PasswordStepForm,
    PinForm,
    QuestionsFormSetFactory,
)
from .models import AccountLink, RecoveryIdentity, SecurityAnswer, SecurityQuestion, sin_digests

PROVED_AT = "_selfservice_proved_at"
PROVED_SECONDS = 15 * 60
signed_out = method_decorator([never_cache, sensitive_post_parameters()], name="dispatch")
signed_in = method_decorator([login_required, never_cache, sensitive_post_parameters()], name="dispatch")


def _account(request, flow):
    return user_for_sign_in(tenant=request.tenant, identifier=flow.get("identifier", ""))


def _sign_in(request, user, *, method, device=None):
    """The proof is complete: the sign-in goes through the core's stages (the device, if the tenant
    requires it and none was used), then lands on the menu. PROVED_AT and the audit entry come with
    accounts.stages.signed_in (signals.py)."""
    proofs.end_flow(request)
    menu = reverse("selfservice:menu")
    return stages.begin(request, user, method=method, device=device, next_url=menu, origin="selfservice")


# Signing in: identifier, then method ---------------------------------------------------------------


@signed_out
class SignInView(FormView):
    """Seed 000 steps 2-3: the identifier first."""

    template_name = "selfservice/sign_in.html"
    form_class = IdentifierForm
    purpose = "sign_in"
    next_step = "selfservice:methods"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and self.purpose == "sign_in":
            return redirect("selfservice:menu")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "tenant": self.request.tenant}

    def form_valid(self, form):
        proofs.start_flow(self.request, self.purpose, form.cleaned_data["identifier"].strip())
        return redirect(self.next_step)


@method_decorator(never_cache, name="dispatch")
class MethodsView(TemplateView):
    """Seed 000 step 4: the same three choices for every identifier, so the page never tells which
    methods an account has set up (or whether it exists)."""

    template_name = "selfservice/methods.html"
    purposes = ("sign_in", "unlock")

    def dispatch(self, request, *args, **kwargs):
        self.flow = proofs.get_flow(request, *self.purposes)
        if self.flow is None:
            return redirect("selfservice:sign_in")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "flow": self.flow}


class FlowStepView(FormView):
    """A step of a signed-out journey; `purposes` lists the journeys it belongs to."""

    purposes = ("sign_in",)
    restart = "selfservice:sign_in"

    def dispatch(self, request, *args, **kwargs):
        self.flow = proofs.get_flow(request, *self.purposes)
        if self.flow is None:
            messages.info(request, _("Please start again: the page expired or was opened directly."))
            return redirect(self.restart)
        self.account = self.get_account()
        return super().dispatch(request, *args, **kwargs)

    def get_account(self):
        return _account(self.request, self.flow)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "flow": self.flow}

    def questions_required(self) -> bool:
        """Seed 002: an account with security questions recovers by them (or by its device), not by PIN
        or identity data; if the answers are forgotten, the help desk disables them first. The refusal
        looks like any wrong PIN, so it tells nothing about the account."""
        return self.flow["purpose"] == "recover" and bool(proofs.questions_asked(self.account))

    def attempt(self, form, check, error, *, hashes=1, spent=None, identifier=None, also=()):
        """The proof goes through the guard; `check` is called only for an account that exists."""
        verdict = guard.check_secret(
            self.request,
            account=self.account,
            identifier=self.flow["identifier"] if identifier is None else identifier,
            also=also,
            check=check,
            hashes=hashes,
            spent=spent,
            scope="unlock" if self.flow["purpose"] == "unlock" else "",
            audit=guard.PROOF_FAILED,
            details={"step": self.request.resolver_match.url_name},
        )
        if not verdict.ok:
            form.add_error(None, verdict.error or error)
        return verdict.ok

    def proved(self, method, device=None):
        """What a successful proof leads to, by journey."""
        purpose, user = self.flow["purpose"], self.account
        if purpose == "sign_in":
            return _sign_in(self.request, user, method=method, device=device)
        if purpose == "unlock":
            with transaction.atomic():
                actions.do_self_unlock(user=user, method=method, request=self.request)
            proofs.end_flow(self.request)
            return render(self.request, "selfservice/unlocked.html")
        return proved_for_recovery(self.request, self.flow, user, method)


@signed_out
class PasswordStepView(FlowStepView):
    """Seed 000 step 5."""

    template_name = "selfservice/step_password.html"
    form_class = PasswordStepForm

    def form_valid(self, form):
        user = self.account
        password = form.cleaned_data["password"]

        def check():
            return user.check_password(password) and user.is_active

        if not self.attempt(form, check, WRONG_CREDENTIALS):
            return self.form_invalid(form)
        return self.proved("password")


@signed_out
class QuestionsStepView(FlowStepView):
    """Answer the security questions (sign-in, recovery or unlock). One message for any wrong answer:
    saying which one is wrong would help a guesser; only the signed-in trial (step 11) says it."""

    template_name = "selfservice/step_questions.html"
    form_class = AnswersForm
    purposes = ("sign_in", "recover", "unlock")

    def get_form_kwargs(self):
        self.answers = proofs.questions_asked(self.account)
        if self.answers:
            questions = [a.question for a in self.answers]
        else:
            count = self.request.tenant.selfservice_settings.security_question_count
            questions = proofs.decoy_questions(self.request.tenant, self.flow["identifier"], count)
        return {**super().get_form_kwargs(), "questions": questions}

    def form_valid(self, form):
        answers = self.answers

        def check():
            if not answers:
                return None  # decoy questions: the guard spends what checking them would
            results = proofs.check_answers(answers, form.given(answers))
            return all(results.values()) and self.account.is_active

        if not self.attempt(form, check, INCORRECT_ANSWERS, hashes=len(form.cleaned_data) or 1):
            return self.form_invalid(form)
        return self.proved("questions")


@signed_out
class DeviceStepView(FlowStepView):
    """Seed 000 step 4, "Appareil mobile": a code from the authenticator app, or a backup code."""

    template_name = "selfservice/step_device.html"
    form_class = DeviceCodeForm
    purposes = ("sign_in", "unlock", "recover")

    def dispatch(self, request, *args, **kwargs):
        found = stages.pending(request)
        if proofs.get_flow(request, *self.purposes) is None and found and found[2] == stages.DeviceStage.key:
            # This address was the device step of every sign-in: it leads to the core's now.
            return redirect("accounts:sign_in_device")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        found = {}

        def check():
            found["device"] = proofs.verify_device_code(self.account, form.cleaned_data["code"])
            return found["device"] is not None and self.account.is_active

        # An app's code costs no hash and a backup code one per code left: the guard makes up the
        # difference, so a known account, one without backup codes and an unknown identifier cost alike.
        hashes, spent = proofs.device_code_work(self.account, form.cleaned_data["code"])
        if not self.attempt(form, check, WRONG_CODE, hashes=hashes, spent=spent):
            return self.form_invalid(form)
        return self.proved("device", device=found["device"])


# Recovery (seed 002) --------------------------------------------------------------------------------


class ForgotPasswordView(SignInView):
    """Seed 002 section 1: "Mot de passe oublié?" with the identifier known."""

    template_name = "selfservice/forgot_password.html"
    purpose = "recover"
    next_step = "selfservice:recover"


@never_cache
def recover(request):
    """Seed 002's decision: security questions if the account has some, else employee number + PIN.
    An unknown identifier goes one way or the other by a keyed hash, as a real account would."""
    flow = proofs.get_flow(request, "recover")
    if flow is None:
        return redirect("selfservice:forgot_password")
    account = _account(request, flow)
    if account is not None:
        has_questions = bool(proofs.questions_asked(account))
    else:
        has_questions = proofs.decoy_prefers_questions(request.tenant, flow["identifier"])
    return redirect("selfservice:recover_questions" if has_questions else "selfservice:recover_pin")


class ForgotIdentifierView(TemplateView):
    """Seed 002 section 2, "je ne connais pas mon code": choose how to prove who you are."""

    template_name = "selfservice/forgot_identifier.html"

    def get(self, request, *args, **kwargs):
        proofs.start_flow(request, "identifier")
        return super().get(request, *args, **kwargs)


@signed_out
class PinStepView(FlowStepView):
    template_name = "selfservice/step_pin.html"
    form_class = PinForm
    purposes = ("recover", "identifier")
    restart = "selfservice:forgot_password"

    def get_account(self):
        return _account(self.request, self.flow) if self.flow["purpose"] == "recover" else None

    def form_valid(self, form):
        number = "".join(form.cleaned_data["employee_number"].split())
        identity = (
            RecoveryIdentity.objects.for_tenant(self.request.tenant)
            .filter(employee_number=number)
            .select_related("user")
            .first()
        )
        if self.flow["purpose"] == "recover" and (
            (identity is not None and identity.user_id != getattr(self.account, "pk", None))
            or self.questions_required()
        ):
            identity = None
        if self.flow["purpose"] == "identifier":
            self.account = identity.user if identity is not None else None
            self.flow["identifier"] = self.flow["identifier"] or f"employee:{number}"

        def check():
            if identity is None:
                return None
            return identity.check_pin(form.cleaned_data["pin"]) and identity.user.is_active

        if not self.attempt(form, check, NO_MATCH):
            return self.form_invalid(form)
        return self.proved("pin")


@signed_out
class IdentityStepView(FlowStepView):
    """Seed 002, "cliquez ici pour vous identifier autrement"."""

    template_name = "selfservice/step_identity.html"
    form_class = IdentityForm
    purposes = ("recover", "identifier")
    restart = "selfservice:forgot_password"

    def get_account(self):
        return _account(self.request, self.flow) if self.flow["purpose"] == "recover" else None

    def form_valid(self, form):
        data, tenant = form.cleaned_data, self.request.tenant
        candidates = (
            RecoveryIdentity.objects.for_tenant(tenant)
            .filter(birth_date=data["birth_date"], sin_digest__in=sin_digests(tenant.pk, data["sin_digits"]))
            .select_related("user")
        )
        matches = [
            c
            for c in candidates[:5]
            if fold(c.user.first_name) == fold(data["first_name"])
            and fold(c.user.last_name) == fold(data["last_name"])
        ]
        identity = matches[0] if len(matches) == 1 else None
        if self.flow["purpose"] == "recover":
            if self.questions_required() or (
                identity is not None and identity.user_id != getattr(self.account, "pk", None)
            ):
                identity = None
        else:
            self.account = identity.user if identity is not None else None
            label = f"identity:{fold(data['last_name'])}|{data['birth_date']}"
            self.flow["identifier"] = self.flow["identifier"] or label

        def check():
            return identity is not None and identity.user.is_active

        # Every guess names a person (last name and date of birth): it counts on, and is refused by,
        # that person's key as well as the key of the account it lands on, so a lock that wrong
        # guesses set also stops the right one.
        named = f"identity:{fold(data['last_name'])}|{data['birth_date']}"
        if not self.attempt(
            form, check, NO_MATCH, hashes=0, identifier=self.flow["identifier"], also=[named]
        ):
            return self.form_invalid(form)
        return self.proved("identity")


def proved_for_recovery(request, flow, user, method):
    """The proof succeeded. Where the tenant trusts it alone (seeds 000, 002), go on; otherwise a code
    goes to the address on file first (the default, NIST SP 800-63B-4)."""
    flow.update(account=user.pk, method=method)
    if request.tenant.selfservice_settings.recovery_proof_alone:
        return _mark_proved(request, flow, user)
    if not user.email:
        proofs.end_flow(request)
        return render(request, "selfservice/no_address.html")
    code = proofs.new_mail_code()
    flow["code"] = proofs.code_digest(code)
    flow["code_at"] = flow["at"] = int(time.time())
    proofs.save_flow(request, flow)
    with transaction.atomic():
        actions.do_mail_recovery_code(user=user, code=code, request=request)
    return redirect("selfservice:recover_mail_code")


def _mark_proved(request, flow, user):
    flow["proved"] = True
    flow["at"] = int(time.time())  # the next step gets its own 15 minutes
    flow.pop("code", None)
    proofs.save_flow(request, flow)
    if flow["purpose"] == "identifier":
        with transaction.atomic():
            actions.do_send_identifier(user=user, method=flow.get("method", ""), request=request)
    return redirect(_after_proof(flow))


def _after_proof(flow):
    return (
        "selfservice:recover_new_password" if flow["purpose"] == "recover" else "selfservice:identifier_found"
    )


class ProvedAccountMixin:
    """Steps after the proof: the account is the one that proved itself, on this tenant."""

    def get_account(self):
        return User.objects.for_tenant(self.request.tenant).filter(pk=self.flow.get("account")).first()


@signed_out
class MailCodeStepView(ProvedAccountMixin, FlowStepView):
    template_name = "selfservice/step_mail_code.html"
    form_class = MailCodeForm
    purposes = ("recover", "identifier")
    restart = "selfservice:forgot_password"

    def dispatch(self, request, *args, **kwargs):
        flow = proofs.get_flow(request, *self.purposes)
        if flow is None or not flow.get("code"):
            return redirect(self.restart)
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        given = "".join(form.cleaned_data["code"].split())

        def check():
            return hmac.compare_digest(proofs.code_digest(given), self.flow["code"])

        message = _("This code is not the one we sent. Check the latest e-mail.")
        if not self.attempt(form, check, message, hashes=0):
            return self.form_invalid(form)
        return _mark_proved(self.request, self.flow, self.account)


class ProvedStepMixin(ProvedAccountMixin):
    def dispatch(self, request, *args, **kwargs):
        flow = proofs.get_flow(request, *self.purposes)
        if flow is None or not flow.get("proved"):
            return redirect(self.restart)
        return super().dispatch(request, *args, **kwargs)


@signed_out
class RecoverNewPasswordView(ProvedStepMixin, FlowStepView):
    """Seed 002: "Choisissez un nouveau mot de passe en respectant les critères énumérés"."""

    template_name = "selfservice/new_password.html"
    form_class = NewPasswordForm
    purposes = ("recover",)
    restart = "selfservice:forgot_password"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.account}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **rules_context(self.account)}

    def form_valid(self, form):
        with transaction.atomic():
            actions.do_recover_password(
                user=self.account,
                raw_password=form.cleaned_data["new_password1"],
                method=self.flow.get("method", ""),
                request=self.request,
            )
        proofs.end_flow(self.request)
        messages.success(self.request, _("Your password is set. Sign in with it now."))
        return redirect("accounts:login")


@never_cache
def identifier_found(request):
    """Seed 002 section 2: once proved, the identifier is shown (once) on the page; it was also mailed
    to the address on file."""
    flow = proofs.get_flow(request, "identifier")
    if flow is None or not flow.get("proved"):
        return redirect("selfservice:forgot_identifier")
    account = User.objects.for_tenant(request.tenant).filter(pk=flow.get("account")).first()
    proofs.end_flow(request)
    return render(request, "selfservice/identifier_found.html", {"account": account})


# Unlock -----------------------------------------------------------------------------------------------


class UnlockView(SignInView):
    """A locked person proves who they are by questions or device and lifts the lock, no password."""

    template_name = "selfservice/unlock.html"
    purpose = "unlock"
    next_step = "selfservice:unlock_methods"


class UnlockMethodsView(MethodsView):
    template_name = "selfservice/unlock_methods.html"
    purposes = ("unlock",)


# Signed in: "Mon profil" ---------------------------------------------------------------------------------


@login_required
@never_cache
def menu(request):
    """Seed 000 step 6."""
    user = request.user
    return render(
        request,
        "selfservice/menu.html",
        {
            "question_count": SecurityAnswer.objects.for_tenant(user.tenant)
            .filter(user=user, purpose="self")
            .count(),
            "device_count": AuthenticatorDevice.objects.for_tenant(user.tenant)
            .filter(user=user, confirmed=True)
            .count(),
        },
    )


@signed_in
class QuestionsView(TemplateView):
    """Seed 000 steps 7-8: choose questions from the tenant's catalogue, type the answers, add or remove
    rows; "questions still required [n]" until the tenant's count is reached."""

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
            self.catalogue = list(SecurityQuestion.objects.for_tenant(tenant).filter(is_active=True))

    def formset(self, data=None):
        existing = proofs.answers_of(self.user, self.purpose)
        offered = {q.pk for q in self.catalogue}
        # A question withdrawn from the catalogue stays choosable for whoever already answered it.
        catalogue = self.catalogue + [a.question for a in existing if a.question_id not in offered]
        rows = max(self.required, len(existing), 1)
        if data is not None:
            try:
                rows = max(rows, min(int(data.get("form-TOTAL_FORMS", rows)), 9))
            except ValueError:
                pass
            if "add" in data:
                rows = min(rows + 1, 9)
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
        with transaction.atomic():
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
    purpose = SecurityAnswer.Purpose.HELPDESK


@signed_in
class TryQuestionsView(FormView):
    """Seed 000 steps 9-11: answer each question; the page says which ones are wrong. Each wrong try
    counts towards the account's lockout, like any other failure."""

    template_name = "selfservice/try_questions.html"
    form_class = AnswersForm

    def get_form_kwargs(self):
        self.answers = proofs.active_answers(self.request.user)
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


@login_required
@never_cache
def history(request):
    """ "Afficher l'historique des changements": questions, devices, links and recoveries, dated."""
    entries = (
        AuditEntry.objects.for_tenant(request.user.tenant)
        .filter(target_id=str(request.user.pk), action__startswith="selfservice.")
        .exclude(action="selfservice.signed_in")
        .order_by("-created_at")[:50]
    )
    return render(request, "selfservice/history.html", {"entries": entries})


# Linked accounts and password changes -------------------------------------------------------------


def _linked(user):
    return [
        link.other
        for link in AccountLink.objects.for_tenant(user.tenant)
        .filter(user=user)
        .select_related("other__tenant")
    ]


@signed_in
class LinksView(FormView):
    """Seed 000, "Joindre d'autres comptes": sign in to another organisation's account to link it."""

    template_name = "selfservice/links.html"
    form_class = LinkAccountForm

    def get_form_kwargs(self):
        with_selfservice = [t.pk for t in tenants_with("selfservice")]
        tenants = Tenant.objects.filter(pk__in=with_selfservice).exclude(pk=self.request.user.tenant_id)
        return {**super().get_form_kwargs(), "tenants": tenants}

    def get_context_data(self, **kwargs):
        links = AccountLink.objects.for_tenant(self.request.user.tenant).filter(user=self.request.user)
        return {**super().get_context_data(**kwargs), "links": links.select_related("other__tenant")}

    def form_valid(self, form):
        other_tenant = form.cleaned_data["tenant"]
        identifier = form.cleaned_data["identifier"]
        other = user_for_sign_in(tenant=other_tenant, identifier=identifier)
        password = form.cleaned_data["password"]

        def check():
            return other.check_password(password) and other.is_active

        outcome = guard.check_secret(
            self.request,
            account=other,
            identifier=identifier,
            check=check,
            tenant=other_tenant,
            audit=guard.PROOF_FAILED,
            details={"step": self.request.resolver_match.url_name},
        )
        if not outcome.ok:
            form.add_error(None, outcome.error or WRONG_CREDENTIALS)
            return self.form_invalid(form)
        if other_tenant.account_settings.device_required_for(other):
            # A password alone must not reach an account whose organisation also wants its device.
            form.add_error(
                None,
                _(
                    "This organisation also asks for its mobile device. Sign in there and link this "
                    "account from its own self-service."
                ),
            )
            return self.form_invalid(form)
        with transaction.atomic():
            actions.do_link_accounts(user=self.request.user, other=other, request=self.request)
        messages.success(self.request, _("The accounts are linked."))
        return redirect("selfservice:links")


@login_required
@require_POST
def unlink(request, pk):
    link = get_object_or_404(AccountLink.objects.for_tenant(request.user.tenant), pk=pk, user=request.user)
    with transaction.atomic():
        actions.do_unlink_accounts(link=link, request=request)
    messages.success(request, _("The accounts are no longer linked."))
    return redirect("selfservice:links")


class ChangePasswordsView(ChangePasswordView):
    """ "Modifier les mots de passe": the password of this account and, if chosen, of linked ones."""

    template_name = "selfservice/change_passwords.html"
    form_class = ChangePasswordsForm
    success_url = "selfservice:menu"

    def get_form_kwargs(self):
        proved_at = self.request.session.get(PROVED_AT, 0)
        recent = time.time() - proved_at < PROVED_SECONDS
        return {**super().get_form_kwargs(), "linked": _linked(self.request.user), "ask_current": not recent}

    def form_valid(self, form):
        response = super().form_valid(form)
        self.request.session.pop(PROVED_AT, None)
        with transaction.atomic():
            for other in form.chosen():
                account_actions.do_set_password(
                    user=other,
                    raw_password=form.cleaned_data["new_password1"],
                    request=self.request,
                    actor=other,
                )
        return response


@login_required
@never_cache
def unlock_accounts(request):
    """ "Déverrouiller les comptes": this account and the linked ones, with their state; a linked account
    that is locked can be unlocked from here, since its owner proved it when linking."""
    user = request.user
    accounts = [user, *_linked(user)]
    if request.method == "POST":
        target = next((a for a in accounts[1:] if str(a.pk) == request.POST.get("account")), None)
        if target is not None:
            with transaction.atomic():
                actions.do_self_unlock(user=target, method="linked", request=request, actor=target)
            messages.success(request, _("The account is unlocked."))
        return redirect("selfservice:unlock_accounts")
    keys = [lockout.lock_key(a.tenant, user=a) for a in accounts]
    states = lockout.current_states(keys)
    rows = [{"account": a, "locked": states[key].locked} for a, key in zip(accounts, keys, strict=True)]
    return render(request, "selfservice/unlock_accounts.html", {"rows": rows})
