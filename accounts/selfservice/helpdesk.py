"""The self-service pieces of the help desk's user admin (accounts.admin.HelpDeskUserAdmin): the action
that disables forgotten security questions, the summary on the person's page, and the caller check."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts import guard

from . import actions, selectors
from .models import SecurityAnswer


@admin.action(description=_("Disable the security questions (the person forgot the answers)"))
def disable_questions(modeladmin, request, queryset):
    if request.POST.get("post") != "yes":
        # A person who loses their questions recovers by another proof only: the agent sees who is
        # concerned and confirms first.
        context = {
            **modeladmin.admin_site.each_context(request),
            "title": gettext("Disable the security questions?"),
            "people": list(queryset),
            "action": disable_questions.__name__,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "opts": modeladmin.model._meta,
        }
        return TemplateResponse(request, "admin/selfservice/confirm_disable_questions.html", context)
    count = 0
    for user in queryset:
        if actions.do_disable_questions(user=user, actor=request.user, request=request):
            count += 1
    modeladmin.message_user(
        request,
        ngettext(
            "Security questions disabled for %(n)d account. "
            "The person recovers by another proof, then chooses new ones.",
            "Security questions disabled for %(n)d accounts. "
            "Each person recovers by another proof, then chooses new ones.",
            count,
        )
        % {"n": count},
        messages.SUCCESS if count else messages.WARNING,
    )


class CallerAnswersForm(forms.Form):
    def __init__(self, *args, answers, **kwargs):
        super().__init__(*args, **kwargs)
        for answer in answers:
            self.fields[f"q{answer.question_id}"] = forms.CharField(
                label=answer.question.text,
                required=False,
                max_length=200,
                widget=forms.TextInput(attrs={"autocomplete": "off", "size": 40}),
            )


def verify_caller(modeladmin, request, object_id):
    """Type what the caller says; see only right or wrong per question. Audited."""
    if not request.tenant.has_module("selfservice"):
        raise Http404  # the help-desk questions are the self-service module's
    user = modeladmin.get_object(request, object_id)
    answers = selectors.answers_of(user=user, purpose=SecurityAnswer.Purpose.HELPDESK)
    results = None
    form = CallerAnswersForm(request.POST or None, answers=answers)
    if request.method == "POST" and form.is_valid():
        given = {a.question_id: form.cleaned_data.get(f"q{a.question_id}", "") for a in answers}
        checked = {}

        def check():
            checked.update(
                actions.do_check_helpdesk_answers(
                    user=user, actor=request.user, answers=answers, given=given, request=request
                )
            )
            return all(checked.values()) if answers else None

        # A caller who guesses is stopped like anyone else, on a count of its own: the owner's sign-in
        # stays open, and the help desk's address is not the caller's.
        verdict = guard.check_secret(
            request,
            account=user,
            identifier=user.identifier,
            check=check,
            hashes=len(answers),
            scope="caller",
            by_address=False,
        )
        if verdict.error:
            messages.error(request, verdict.error)
        results = None if verdict.locked else [(a.question.text, checked[a.question_id]) for a in answers]
        form = CallerAnswersForm(answers=answers)  # what the caller said is not shown again
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": gettext("Verify a caller: %(person)s") % {"person": user},
        "person": user,
        "form": form,
        "results": results,
        "all_right": bool(results) and all(ok for _, ok in results),
        "opts": modeladmin.model._meta,
        "has_questions": bool(answers),
    }
    return TemplateResponse(request, "admin/selfservice/verify_caller.html", context)


@admin.display(description=_("self-service"))
def self_service_summary(obj):
    if obj.pk is None:
        return "—"
    counts = selectors.proof_counts(user=obj)
    own, helpdesk, devices = counts.questions, counts.helpdesk_questions, counts.devices
    url = reverse("helpdesk:accounts_user_verify_caller", args=[obj.pk])
    return format_html(
        '{} · {} · {}<br><a href="{}">{}</a>',
        ngettext("%(n)d security question", "%(n)d security questions", own) % {"n": own},
        ngettext("%(n)d help-desk question", "%(n)d help-desk questions", helpdesk) % {"n": helpdesk},
        ngettext("%(n)d mobile device", "%(n)d mobile devices", devices) % {"n": devices},
        url,
        gettext("Verify a caller with the help-desk questions"),
    )
