"""Linked accounts (docs/journeys.md#links): the same person's accounts on other organisations."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import FormView

from accounts import guard
from accounts.forms import WRONG_CREDENTIALS
from accounts.selectors import user_for_sign_in

from .. import actions, selectors
from ..forms import LinkAccountForm
from .base import signed_in


@signed_in
class LinksView(FormView):
    """ "Link other accounts": sign in to another organisation's account to link it
    (docs/journeys.md#links-add)."""

    template_name = "selfservice/links.html"
    form_class = LinkAccountForm

    def get_form_kwargs(self):
        tenants = selectors.tenants_to_link(user=self.request.user)
        return {**super().get_form_kwargs(), "tenants": tenants}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "links": selectors.links_of(user=self.request.user)}

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
        actions.do_link_accounts(user=self.request.user, other=other, request=self.request)
        messages.success(self.request, _("The accounts are linked."))
        return redirect("selfservice:links")


@login_required
@require_POST
def unlink(request, pk):
    link = selectors.access_link(user=request.user, link_id=pk)
    actions.do_unlink_accounts(link=link, request=request)
    messages.success(request, _("The accounts are no longer linked."))
    return redirect("selfservice:links")
