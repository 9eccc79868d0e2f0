"""The link of a notification mail (docs/journeys.md#messaging-mail): it leads a signed-in person to
the conversation, and someone without an account to "Open an account" for the address it was sent
to, the link itself confirming that address. The token leaves the address bar at once: the session
keeps which conversation and address it named."""

import time
from dataclasses import asdict, dataclass

from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import FormView

from accounts import stages
from accounts.models import User
from accounts.password_rules import rules_context

from .. import actions
from ..forms import OpenAccountForm
from ..models import Participation, Persona
from .base import no_referrer

LINK = "messaging.link"
LINK_SECONDS = 30 * 60  # to sign in or open the account once the link was followed


@dataclass
class FollowedLink:
    conversation_id: int
    persona_id: int
    at: int


def _followed(request) -> FollowedLink | None:
    try:
        link = FollowedLink(**request.session.get(LINK, {}))
    except TypeError:
        return None
    if time.time() - link.at > LINK_SECONDS:
        request.session.pop(LINK, None)
        return None
    return link


def _persona(request, link):
    # tenant-guard: the ids come from the session, put there from a signed link of this tenant
    return (
        Persona.objects.for_tenant(request.tenant).filter(pk=link.persona_id).select_related("user").first()
    )


@never_cache
def follow(request, token):
    named = actions.read_access_token(tenant=request.tenant, token=token)
    if named is None:
        return no_referrer(render(request, "messaging/link_expired.html", status=400))
    request.session[LINK] = asdict(
        FollowedLink(conversation_id=named[0], persona_id=named[1], at=int(time.time()))
    )
    return no_referrer(redirect("messaging:welcome"))


def _conversation_url(link):
    return reverse("messaging:conversation", args=[link.conversation_id])


def _account_with_address(tenant, email) -> bool:
    return User.objects.for_tenant(tenant).filter(email=email, is_active=True).exists()


@never_cache
def welcome(request):
    link = _followed(request)
    persona = _persona(request, link) if link else None
    if persona is None:
        return render(request, "messaging/link_expired.html", status=400)
    user = request.user
    if user.is_authenticated:
        if persona.user_id == user.pk and persona.confirmed_at:
            request.session.pop(LINK, None)
            return redirect(_conversation_url(link))
        if persona.user_id is None and request.method == "POST":
            # The link was mailed to this address: following it proves the address is the person's.
            actions.do_confirm_persona(user=user, email=persona.email, request=request)
            request.session.pop(LINK, None)
            messages.success(request, _("%(email)s is now one of your addresses.") % {"email": persona.email})
            return redirect(_conversation_url(link))
        return render(request, "messaging/welcome_signed_in.html", {"persona": persona})
    context = {
        "persona": persona,
        "may_open_account": persona.user_id is None
        and not _account_with_address(request.tenant, persona.email),
        "sign_in_url": f"{reverse('accounts:login')}?next={reverse('messaging:welcome')}",
    }
    return render(request, "messaging/welcome.html", context)


@method_decorator([never_cache, sensitive_post_parameters()], name="dispatch")
class OpenAccountView(FormView):
    """ "Ouvrir un compte": the address is the one the link was sent to, already confirmed by it."""

    template_name = "messaging/open_account.html"
    form_class = OpenAccountForm

    def dispatch(self, request, *args, **kwargs):
        self.link = _followed(request)
        self.persona = _persona(request, self.link) if self.link else None
        if self.persona is None:
            return render(request, "messaging/link_expired.html", status=400)
        if self.persona.user_id is not None or _account_with_address(request.tenant, self.persona.email):
            return redirect("messaging:welcome")
        if request.user.is_authenticated:
            logout(request)  # a new account is opened signed out (another person's session may be here)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "tenant": self.request.tenant, "email": self.persona.email}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(rules_context(context["form"].user), persona=self.persona)
        return context

    def form_valid(self, form):
        try:
            user = actions.do_open_account(
                persona=self.persona,
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                raw_password=form.cleaned_data["new_password1"],
                request=self.request,
            )
        except actions.Refused as refused:
            form.add_error(None, refused.message)
            return self.form_invalid(form)
        self.request.session.pop(LINK, None)
        # tenant-guard: the participation was made for this persona on this tenant
        if (
            not Participation.objects.for_tenant(self.request.tenant)
            .filter(conversation_id=self.link.conversation_id, persona=self.persona)
            .exists()
        ):
            return stages.begin(self.request, user, method="password", next_url=reverse("messaging:inbox"))
        return stages.begin(self.request, user, method="password", next_url=_conversation_url(self.link))
