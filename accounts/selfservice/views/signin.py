"""Signing in to the self-service (docs/journeys.md#selfservice): the identifier first, then a password,
the security questions or the mobile device. The questions and device steps also serve recovery and
unlock."""

from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from accounts import stages
from accounts.device_forms import WRONG_CODE, DeviceCodeForm, pause_message
from accounts.devices import code_pause_seconds, device_code_work, note_code_outcome, verify_device_code
from accounts.forms import WRONG_CREDENTIALS

from .. import flow as flows
from .. import proofs, selectors
from ..flow import Purpose
from ..forms import INCORRECT_ANSWERS, AnswersForm, PasswordStepForm
from .base import FlowStepView, IdentifierView, signed_out


class SignInView(IdentifierView):
    """The identifier first (docs/journeys.md#selfservice-sign-in)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect("selfservice:menu")
        return super().dispatch(request, *args, **kwargs)


@method_decorator(never_cache, name="dispatch")
class MethodsView(TemplateView):
    """The same three choices for every identifier, so the page never tells which methods an account
    has set up, or whether it exists (docs/journeys.md#selfservice-methods)."""

    template_name = "selfservice/methods.html"
    purposes = (Purpose.SIGN_IN, Purpose.UNLOCK)

    def dispatch(self, request, *args, **kwargs):
        self.flow = flows.load(request, *self.purposes)
        if self.flow is None:
            return redirect("selfservice:sign_in")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "flow": self.flow}


@signed_out
class PasswordStepView(FlowStepView):
    """Sign in by password after the identifier (docs/journeys.md#selfservice-password)."""

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
    saying which one is wrong would help a guesser; only the signed-in trial says it
    (docs/journeys.md#questions-try)."""

    template_name = "selfservice/step_questions.html"
    form_class = AnswersForm
    purposes = (Purpose.SIGN_IN, Purpose.RECOVER_PASSWORD, Purpose.UNLOCK)

    def get_form_kwargs(self):
        self.answers = selectors.questions_asked(user=self.account)
        if self.answers:
            questions = [a.question for a in self.answers]
        else:
            count = self.request.tenant.selfservice_settings.security_question_count
            questions = proofs.decoy_questions(self.request.tenant, self.flow.identifier, count)
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
    """A code from the authenticator app, or a backup code (docs/journeys.md#selfservice-device)."""

    template_name = "selfservice/step_device.html"
    form_class = DeviceCodeForm
    purposes = (Purpose.SIGN_IN, Purpose.UNLOCK, Purpose.RECOVER_PASSWORD)

    def dispatch(self, request, *args, **kwargs):
        found = stages.pending(request)
        if flows.load(request, *self.purposes) is None and found and found[2] == stages.DeviceStage.key:
            # This address was the device step of every sign-in: it leads to the core's now.
            return redirect("accounts:sign_in_device")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        found = {}
        tenant, identifier, code = self.request.tenant, self.flow.identifier, form.cleaned_data["code"]
        wait = code_pause_seconds(tenant, identifier, code)

        def check():
            if wait:  # django-otp would refuse even the right code: it is not tried
                return False
            found["device"] = verify_device_code(self.account, code)
            return found["device"] is not None and self.account.is_active

        # An app's code costs no hash and a backup code one per code left: the guard makes up the
        # difference, so a known account, one without backup codes and an unknown identifier cost alike.
        hashes, spent = device_code_work(self.account, code)
        ok = self.attempt(
            form, check, pause_message(wait) if wait else WRONG_CODE, hashes=hashes, spent=spent
        )
        if not wait:
            note_code_outcome(tenant, identifier, ok)
        if not ok:
            return self.form_invalid(form)
        return self.proved("device", device=found["device"])
