"""A person's addresses (personas) and the messaging administrator's page
(docs/journeys.md#messaging-personas, #messaging-admin)."""

from django.contrib import messages
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import actions, selectors
from ..forms import EmailForm, HandOverForm, handed_over_text
from ..models import Collaborator
from .base import no_referrer, signed_in
from .conversations import _decorate

# One confirmation mail per person per minute: the form cannot flood someone else's mailbox.
PERSONA_MAIL_INTERVAL = 60


@_decorate(*signed_in)
def addresses(request):
    personas = selectors.personas_of(tenant=request.tenant, user=request.user)
    form = EmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if any(p.email == email for p in personas):
            form.add_error("email", _("This address is already one of yours."))
        elif not cache.add(f"messaging-persona-mail:{request.user.pk}", 1, timeout=PERSONA_MAIL_INTERVAL):
            form.add_error(
                "email", _("A link was sent less than a minute ago. Wait a moment, then try again.")
            )
        else:
            actions.do_add_persona(user=request.user, email=email, request=request)
            messages.success(
                request,
                _("We sent a link to %(email)s. Follow it to add the address to your conversations.")
                % {"email": email},
            )
            return redirect("messaging:addresses")
    return render(request, "messaging/addresses.html", {"personas": personas, "form": form})


@_decorate(*signed_in)
def confirm_persona(request, token):
    """The link of the mail: a button confirms (mail scanners that open links confirm nothing)."""
    email = actions.read_persona_token(tenant=request.tenant, user=request.user, token=token)
    if email is None:
        return no_referrer(render(request, "messaging/confirm_persona.html", {"email": None}, status=400))
    if request.method == "POST":
        try:
            actions.do_confirm_persona(user=request.user, email=email, request=request)
        except actions.Refused as refused:
            messages.error(request, refused.message)
            return redirect("messaging:addresses")
        messages.success(request, _("%(email)s is now one of your addresses.") % {"email": email})
        return redirect("messaging:addresses")
    return no_referrer(render(request, "messaging/confirm_persona.html", {"email": email}))


# The messaging administrator --------------------------------------------------------------------------


def _admin_only(request):
    if not selectors.is_messaging_admin(tenant=request.tenant, user=request.user):
        raise Http404


@_decorate(*signed_in)
def manage(request):
    _admin_only(request)
    form = EmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            collaborator = actions.do_enable_collaborator(
                tenant=request.tenant, email=form.cleaned_data["email"], actor=request.user, request=request
            )
        except actions.Refused as refused:
            form.add_error("email", refused.message)
        else:
            messages.success(
                request, _("%(email)s may now start conversations.") % {"email": collaborator.persona.email}
            )
            return redirect("messaging:manage")
    collaborators = selectors.collaborators_of(tenant=request.tenant)
    return render(request, "messaging/manage.html", {"collaborators": collaborators, "form": form})


@_decorate(*signed_in, require_POST)
def deactivate(request, pk):
    _admin_only(request)
    collaborator = selectors.access_collaborator(tenant=request.tenant, collaborator_id=pk)
    actions.do_deactivate_collaborator(collaborator=collaborator, actor=request.user, request=request)
    messages.success(
        request,
        _("%(email)s is deactivated; their conversations are read-only.")
        % {"email": collaborator.persona.email},
    )
    return redirect("messaging:manage")


@_decorate(*signed_in, require_POST)
def reactivate(request, pk):
    _admin_only(request)
    collaborator = selectors.access_collaborator(tenant=request.tenant, collaborator_id=pk)
    actions.do_reactivate_collaborator(collaborator=collaborator, actor=request.user, request=request)
    messages.success(request, _("%(email)s is active again.") % {"email": collaborator.persona.email})
    return redirect("messaging:manage")


@_decorate(*signed_in)
def hand_over(request, pk):
    _admin_only(request)
    collaborator = selectors.access_collaborator(tenant=request.tenant, collaborator_id=pk)
    successors = (
        Collaborator.objects.for_tenant(request.tenant)
        .filter(is_active=True)
        .exclude(pk=collaborator.pk)
        .select_related("persona")
        .order_by("persona__email")
    )
    form = HandOverForm(request.POST or None, successors=successors)
    if request.method == "POST" and form.is_valid():
        successor = form.cleaned_data["successor"]
        try:
            count = actions.do_hand_over_conversations(
                collaborator=collaborator, successor=successor, actor=request.user, request=request
            )
        except actions.Refused as refused:
            form.add_error("successor", refused.message)
        else:
            messages.success(request, handed_over_text(count, collaborator=collaborator, successor=successor))
            return redirect("messaging:manage")
    return render(request, "messaging/hand_over.html", {"collaborator": collaborator, "form": form})
