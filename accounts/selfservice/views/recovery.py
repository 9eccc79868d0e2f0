"""Recovery by proof, signed out: a forgotten password (docs/journeys.md#recover) or a forgotten
identifier (docs/journeys.md#identifier), by security questions, mobile device, employee number and
PIN, or identity data; then, unless the tenant trusts the proof alone, a code mailed to the address on
file."""

import hmac

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from accounts.forms import NewPasswordForm, fold
from accounts.password_rules import rules_context
from accounts.selectors import user_for_sign_in
from accounts.views import offer_identifier_for_sign_in

from .. import actions, proofs, selectors
from .. import flow as flows
from ..flow import Purpose
from ..forms import NO_MATCH, IdentityForm, MailCodeForm, PinForm
from .base import FlowStepView, IdentifierView, ProvedAccountMixin, ProvedStepMixin, mark_proved, signed_out

RECOVERY = (Purpose.RECOVER_PASSWORD, Purpose.RECOVER_IDENTIFIER)


class ForgotPasswordView(IdentifierView):
    """ "Forgot your password?" with the identifier known (docs/journeys.md#recover-start)."""

    template_name = "selfservice/forgot_password.html"
    purpose = Purpose.RECOVER_PASSWORD
    next_step = "selfservice:recover"


@never_cache
def recover(request):
    """Security questions if the account has some, else employee number and PIN
    (docs/journeys.md#recover-route). An unknown identifier goes one way or the other by a keyed hash,
    as a real account would."""
    flow = flows.load(request, Purpose.RECOVER_PASSWORD)
    if flow is None:
        return redirect("selfservice:forgot_password")
    account = user_for_sign_in(tenant=request.tenant, identifier=flow.identifier)
    if account is not None:
        has_questions = bool(selectors.questions_asked(user=account))
    else:
        has_questions = proofs.decoy_prefers_questions(request.tenant, flow.identifier)
    return redirect("selfservice:recover_questions" if has_questions else "selfservice:recover_pin")


class ForgotIdentifierView(TemplateView):
    """ "I don't know my identifier": choose how to prove who you are
    (docs/journeys.md#identifier-start)."""

    template_name = "selfservice/forgot_identifier.html"

    def get(self, request, *args, **kwargs):
        flows.start(request, Purpose.RECOVER_IDENTIFIER)
        return super().get(request, *args, **kwargs)


@signed_out
class PinStepView(FlowStepView):
    """Employee number and PIN (docs/journeys.md#recover-pin)."""

    template_name = "selfservice/step_pin.html"
    form_class = PinForm
    purposes = RECOVERY
    restart = "selfservice:forgot_password"

    def form_valid(self, form):
        number = "".join(form.cleaned_data["employee_number"].split())
        identity = selectors.identity_with_employee_number(tenant=self.request.tenant, number=number)
        if self.flow.purpose is Purpose.RECOVER_PASSWORD and (
            (identity is not None and identity.user_id != getattr(self.account, "pk", None))
            or self.questions_required()
        ):
            identity = None
        if self.flow.purpose is Purpose.RECOVER_IDENTIFIER:
            self.account = identity.user if identity is not None else None
            self.flow.identifier = self.flow.identifier or f"employee:{number}"

        def check():
            if identity is None:
                return None
            return identity.check_pin(form.cleaned_data["pin"]) and identity.user.is_active

        if not self.attempt(form, check, NO_MATCH):
            return self.form_invalid(form)
        return self.proved("pin")


@signed_out
class IdentityStepView(FlowStepView):
    """ "Identify yourself otherwise": names, date of birth, last six SIN digits
    (docs/journeys.md#recover-identity)."""

    template_name = "selfservice/step_identity.html"
    form_class = IdentityForm
    purposes = RECOVERY
    restart = "selfservice:forgot_password"

    def form_valid(self, form):
        data = form.cleaned_data
        identity = selectors.identity_matching(
            tenant=self.request.tenant,
            first_name=data["first_name"],
            last_name=data["last_name"],
            birth_date=data["birth_date"],
            sin_digits=data["sin_digits"],
        )
        # Every guess names a person (last name and date of birth): it counts on, and is refused by,
        # that person's key as well as the key of the account it lands on, so a lock that wrong
        # guesses set also stops the right one.
        named = f"identity:{fold(data['last_name'])}|{data['birth_date']}"
        if self.flow.purpose is Purpose.RECOVER_PASSWORD:
            if self.questions_required() or (
                identity is not None and identity.user_id != getattr(self.account, "pk", None)
            ):
                identity = None
        else:
            self.account = identity.user if identity is not None else None
            self.flow.identifier = self.flow.identifier or named

        def check():
            return identity is not None and identity.user.is_active

        if not self.attempt(form, check, NO_MATCH, hashes=0, also=[named]):
            return self.form_invalid(form)
        return self.proved("identity")


@signed_out
class MailCodeStepView(ProvedAccountMixin, FlowStepView):
    """The code mailed after the proof (docs/journeys.md#recover-mail-code)."""

    template_name = "selfservice/step_mail_code.html"
    form_class = MailCodeForm
    purposes = RECOVERY
    restart = "selfservice:forgot_password"

    def dispatch(self, request, *args, **kwargs):
        flow = flows.load(request, *self.purposes)
        if flow is None or not flow.code_digest:
            return redirect(self.restart)
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        given = "".join(form.cleaned_data["code"].split())

        def check():
            return hmac.compare_digest(proofs.code_digest(given), self.flow.code_digest)

        message = _("This code is not the one we sent. Check the latest e-mail.")
        if not self.attempt(form, check, message, hashes=0):
            return self.form_invalid(form)
        return mark_proved(self.request, self.flow, self.account)


@signed_out
class RecoverNewPasswordView(ProvedStepMixin, FlowStepView):
    """The new password, under the listed rules (docs/journeys.md#recover-new-password)."""

    template_name = "selfservice/new_password.html"
    form_class = NewPasswordForm
    purposes = (Purpose.RECOVER_PASSWORD,)
    restart = "selfservice:forgot_password"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.account}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **rules_context(self.account)}

    def form_valid(self, form):
        actions.do_recover_password(
            user=self.account,
            raw_password=form.cleaned_data["new_password1"],
            method=self.flow.method,
            request=self.request,
        )
        flows.end(self.request)
        messages.success(self.request, _("Your password is set. Sign in with it now."))
        return redirect("accounts:login")


@never_cache
def identifier_found(request):
    """Once proved, the identifier is shown (once) on the page; it was also mailed to the address on
    file (docs/journeys.md#identifier-found)."""
    flow = flows.load(request, Purpose.RECOVER_IDENTIFIER)
    if flow is None or not flow.proved:
        return redirect("selfservice:forgot_identifier")
    account = selectors.account_with_id(tenant=request.tenant, account_id=flow.account_id)
    flows.end(request)
    offer_identifier_for_sign_in(request, account.identifier)
    return render(request, "selfservice/identifier_found.html", {"account": account})
