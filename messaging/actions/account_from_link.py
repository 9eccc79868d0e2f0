"""An account opened from a notification."""

from django.utils.translation import gettext_lazy as _

from accounts.models import User

from ..models import Persona
from .common import Refused, _audit, refusable
from .people import do_confirm_persona


@refusable
def do_open_account(
    *, persona: Persona, first_name: str, last_name: str, raw_password: str, request=None
) -> User:
    """A person without an account opens one for the address a notification was mailed to: the link
    proved the address, so it is confirmed at once and becomes the account's first persona. The
    password goes through the core's action (history, notice)."""
    from accounts.actions import do_set_password
    from accounts.identifiers import normalise_identifier

    tenant = persona.tenant
    persona = Persona.objects.for_tenant(tenant).select_for_update().get(pk=persona.pk)
    identifier = normalise_identifier(tenant, persona.email)
    taken = (
        User.objects.for_tenant(tenant).filter(identifier=identifier).exists()
        or User.objects.for_tenant(tenant).filter(email=persona.email).exists()
    )
    if persona.user_id is not None or taken or not identifier:
        raise Refused(_("An account already uses this address. Sign in with it instead."))
    language = getattr(request, "LANGUAGE_CODE", "") or "fr-ca"
    user = User.objects.create_user(
        tenant=tenant,
        identifier=identifier,
        email=persona.email,
        email_verified=True,
        first_name=first_name,
        last_name=last_name,
        preferred_language="en" if language.startswith("en") else "fr-ca",
    )
    do_set_password(user=user, raw_password=raw_password, request=request, actor=user)
    _audit(tenant, user, "messaging.account_opened", target=user, request=request)
    do_confirm_persona(user=user, email=persona.email, request=request)
    return user
