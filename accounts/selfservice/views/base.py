"""What the views of self-service share: the decorators, the first page of a signed-out journey, the
steps that check a proof, and what a successful proof leads to."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import FormView

from accounts import guard, stages
from accounts.selectors import user_for_sign_in

from .. import actions, proofs, selectors
from .. import flow as flows
from ..flow import Flow, Purpose
from ..forms import IdentifierForm

signed_out = method_decorator([never_cache, sensitive_post_parameters()], name="dispatch")
signed_in = method_decorator([login_required, never_cache, sensitive_post_parameters()], name="dispatch")


@signed_out
class IdentifierView(FormView):
    """The first page of a signed-out journey: the identifier, then `next_step`."""

    template_name = "selfservice/sign_in.html"
    form_class = IdentifierForm
    purpose = Purpose.SIGN_IN
    next_step = "selfservice:methods"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "tenant": self.request.tenant}

    def form_valid(self, form):
        flows.start(self.request, self.purpose, form.cleaned_data["identifier"].strip())
        return redirect(self.next_step)


class FlowStepView(FormView):
    """A step of a signed-out journey; `purposes` lists the journeys it belongs to."""

    purposes = (Purpose.SIGN_IN,)
    restart = "selfservice:sign_in"

    def dispatch(self, request, *args, **kwargs):
        self.flow = flows.load(request, *self.purposes)
        if self.flow is None:
            messages.info(request, _("Please start again: the page expired or was opened directly."))
            return redirect(self.restart)
        self.account = self.get_account()
        return super().dispatch(request, *args, **kwargs)

    def get_account(self):
        """The account the identifier typed names (None if none). A forgotten identifier has none
        until the proof finds it."""
        if not self.flow.purpose.names_account:
            return None
        return user_for_sign_in(tenant=self.request.tenant, identifier=self.flow.identifier)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "flow": self.flow}

    def questions_required(self) -> bool:
        """An account with security questions recovers by them (or by its device), not by PIN or
        identity data; if the answers are forgotten, the help desk disables them first
        (docs/journeys.md#recover-questions). The refusal looks like any wrong PIN, so it tells
        nothing about the account."""
        return self.flow.purpose is Purpose.RECOVER_PASSWORD and bool(
            selectors.questions_asked(user=self.account)
        )

    def attempt(self, form, check, error, *, hashes=1, spent=None, identifier=None, also=()):
        """The proof goes through the guard; `check` is called only for an account that exists."""
        verdict = guard.check_secret(
            self.request,
            account=self.account,
            identifier=self.flow.identifier if identifier is None else identifier,
            also=also,
            check=check,
            hashes=hashes,
            spent=spent,
            scope="unlock" if self.flow.purpose is Purpose.UNLOCK else "",
            audit=guard.PROOF_FAILED,
            details={"step": self.request.resolver_match.url_name},
        )
        if not verdict.ok:
            form.add_error(None, verdict.error or error)
        return verdict.ok

    def proved(self, method: str, device=None):
        return after_proof(self.request, self.flow, self.account, method=method, device=device)


class ProvedAccountMixin:
    """Steps after the proof: the account is the one that proved itself, on this tenant."""

    def get_account(self):
        return selectors.account_with_id(tenant=self.request.tenant, account_id=self.flow.account_id)


class ProvedStepMixin(ProvedAccountMixin):
    """A step open only once the proof succeeded (and, where asked, the mailed code was typed)."""

    def dispatch(self, request, *args, **kwargs):
        flow = flows.load(request, *self.purposes)
        if flow is None or not flow.proved:
            return redirect(self.restart)
        return super().dispatch(request, *args, **kwargs)


# What a successful proof leads to ------------------------------------------------------------------------


def after_proof(request, flow: Flow, user, *, method: str, device=None):
    if flow.purpose is Purpose.SIGN_IN:
        return sign_in(request, user, method=method, device=device)
    if flow.purpose is Purpose.UNLOCK:
        actions.do_self_unlock(user=user, method=method, request=request)
        flows.end(request)
        return render(request, "selfservice/unlocked.html")
    return recovery_proved(request, flow, user, method=method)


def sign_in(request, user, *, method: str, device=None):
    """The sign-in goes through the core's stages (the device, if the tenant requires it and none was
    used), then lands on the menu. The audit entry comes with accounts.stages.signed_in (signals.py)."""
    flows.end(request)
    menu = reverse("selfservice:menu")
    return stages.begin(request, user, method=method, device=device, next_url=menu, origin="selfservice")


def recovery_proved(request, flow: Flow, user, *, method: str):
    """Where the tenant trusts the proof alone (recovery_proof_alone), go on; otherwise a code goes to
    the address on file first (the default, NIST SP 800-63B-4; docs/journeys.md#recover-mail-code)."""
    flow.account_id, flow.method = user.pk, method
    if request.tenant.selfservice_settings.recovery_proof_alone:
        return mark_proved(request, flow, user)
    if not user.email:
        flows.end(request)
        return render(request, "selfservice/no_address.html")
    code = proofs.new_mail_code()
    flow.code_digest = proofs.code_digest(code)
    flow.restart_clock()  # the code gets its own minutes
    flows.save(request, flow)
    actions.do_mail_recovery_code(user=user, code=code, request=request)
    return redirect("selfservice:recover_mail_code")


def mark_proved(request, flow: Flow, user):
    flow.proved = True
    flow.code_digest = ""
    flow.restart_clock()  # the next step gets its own minutes
    flows.save(request, flow)
    if flow.purpose is Purpose.RECOVER_IDENTIFIER:
        actions.do_send_identifier(user=user, method=flow.method, request=request)
        return redirect("selfservice:identifier_found")
    return redirect("selfservice:recover_new_password")
