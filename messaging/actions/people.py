"""The people of secure conversations: an account's personas (addresses confirmed by link) and the
collaborators who start conversations, their deactivation and the hand-over of their conversations."""

from django.core import signing
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from portal.mail import send_templated_mail
from portal.tenancy import tenant_url

from ..models import Activity, Collaborator, Conversation, Participation, Persona
from .common import Refused, _audit, normalise_email, persona_for, refusable

# A link that adds an address to one's account, as other confirmation links: one day.
PERSONA_LINK_SECONDS = 24 * 3600
PERSONA_LINK_SALT = "messaging.links.persona"


# Personas --------------------------------------------------------------------------------------------


def persona_token(*, user, email: str) -> str:
    return signing.dumps(
        {"t": user.tenant_id, "u": user.pk, "e": normalise_email(email)}, salt=PERSONA_LINK_SALT
    )


def read_persona_token(*, tenant, user, token: str) -> str | None:
    """The address a confirmation link was made for, if the link is this tenant's, this person's and fresh."""
    try:
        data = signing.loads(token, salt=PERSONA_LINK_SALT, max_age=PERSONA_LINK_SECONDS)
    except signing.BadSignature:
        return None
    if data.get("t") != tenant.pk or data.get("u") != user.pk:
        return None
    return data.get("e") or None


@transaction.atomic(savepoint=False)
def do_add_persona(*, user, email: str, request=None) -> None:
    """Mail a link to the new address; it becomes a persona of the account once the link is followed.
    Nothing is stored before: the same answer whether the address is free or taken."""
    email = normalise_email(email)
    link = tenant_url(
        user.tenant, "messaging:confirm_persona", kwargs={"token": persona_token(user=user, email=email)}
    )
    send_templated_mail(
        tenant=user.tenant,
        to=email,
        language=user.preferred_language,
        template="messaging_persona",
        context={"user": user, "link": link, "email": email},
    )
    _audit(user.tenant, user, "messaging.persona_link_sent", target=user, request=request)


PERSONA_TAKEN = _("This address is already used by another account. Contact the help desk if it is yours.")


@refusable
def do_confirm_persona(*, user, email: str, request=None) -> Persona:
    """The address is the person's: it becomes a tab of the inbox, with every conversation already
    addressed to it. Refused when another account holds it."""
    persona = (
        Persona.objects.for_tenant(user.tenant)
        .select_for_update()
        .get(pk=persona_for(tenant=user.tenant, email=email).pk)
    )
    if persona.user_id is not None and persona.user_id != user.pk:
        raise Refused(PERSONA_TAKEN)
    if persona.user_id is None or persona.confirmed_at is None:
        persona.user, persona.confirmed_at = user, timezone.now()
        persona.save(update_fields=["user", "confirmed_at"])
        _audit(user.tenant, user, "messaging.persona_confirmed", target=user, request=request)
    return persona


def do_claim_account_address(*, user, request=None) -> Persona | None:
    """The account's own address, once verified, is one of its personas: conversations addressed to it
    before the person ever followed a notification link show at their first visit. Nothing happens
    when another account already holds it or when nothing was addressed to it yet."""
    email = normalise_email(user.email)
    if not (email and user.email_verified):
        return None
    persona = Persona.objects.for_tenant(user.tenant).filter(email=email, user__isnull=True).first()
    if persona is None:
        return None
    return do_confirm_persona(user=user, email=email, request=request)


# Collaborators ----------------------------------------------------------------------------------------

NO_SUCH_PERSON = _("No active account of the organisation has this e-mail address.")


@refusable
def do_enable_collaborator(*, tenant, email: str, actor, request=None) -> Collaborator:
    """The person of the tenant with this address may start conversations, held under that address."""
    email = normalise_email(email)
    user = User.objects.for_tenant(tenant).filter(email=email, is_active=True).first()
    if user is None:
        raise Refused(NO_SUCH_PERSON)
    persona = do_confirm_persona(user=user, email=email, request=request)
    collaborator = Collaborator.objects.for_tenant(tenant).filter(user=user).first()
    if collaborator is None:
        collaborator = Collaborator.objects.create(tenant=tenant, user=user, persona=persona)
    elif not collaborator.is_active:
        return do_reactivate_collaborator(collaborator=collaborator, actor=actor, request=request)
    _audit(tenant, actor, "messaging.collaborator_enabled", target=collaborator, request=request)
    return collaborator


@transaction.atomic(savepoint=False)
def do_deactivate_collaborator(*, collaborator: Collaborator, actor, request=None) -> None:
    """The collaborator's conversations turn read-only (shown in red) until handed over."""
    if not collaborator.is_active:
        return
    collaborator.is_active, collaborator.deactivated_at = False, timezone.now()
    collaborator.save(update_fields=["is_active", "deactivated_at"])
    _audit(
        collaborator.tenant, actor, "messaging.collaborator_deactivated", target=collaborator, request=request
    )


@transaction.atomic(savepoint=False)
def do_reactivate_collaborator(*, collaborator: Collaborator, actor, request=None) -> Collaborator:
    """Enabled again: the conversations still in their charge are writable again."""
    collaborator.is_active, collaborator.deactivated_at = True, None
    collaborator.save(update_fields=["is_active", "deactivated_at"])
    _audit(
        collaborator.tenant, actor, "messaging.collaborator_reactivated", target=collaborator, request=request
    )
    return collaborator


@refusable
def do_hand_over_conversations(
    *, collaborator: Collaborator, successor: Collaborator, actor, request=None
) -> int:
    """Every conversation in the collaborator's charge passes to the successor, who joins it and may
    post; each one's history says who took it over and when. Returns how many moved."""
    if (
        successor.pk == collaborator.pk
        or not successor.is_active
        or successor.tenant_id != collaborator.tenant_id
    ):
        raise Refused(_("Choose an active collaborator other than the one who leaves."))
    tenant, now = collaborator.tenant, timezone.now()
    conversations = list(Conversation.objects.for_tenant(tenant).filter(collaborator=collaborator))
    ids = [c.pk for c in conversations]
    already = set(
        Participation.objects.for_tenant(tenant)
        .filter(conversation_id__in=ids, persona=successor.persona)
        .values_list("conversation_id", flat=True)
    )
    joined = Participation.objects.bulk_create(  # tenant-guard: rows built with their tenant
        [
            Participation(
                tenant=tenant,
                conversation=c,
                persona=successor.persona,
                last_activity_at=now,
                seen_at=None,
                joined_at=now,
            )
            for c in conversations
            if c.pk not in already
        ]
    )
    if joined:
        Persona.objects.for_tenant(tenant).filter(pk=successor.persona_id).update(
            conversation_count=F("conversation_count") + len(joined)
        )
    Activity.objects.bulk_create(  # tenant-guard: rows built with their tenant
        [
            Activity(
                tenant=tenant,
                conversation=c,
                kind=Activity.Kind.TAKEN_OVER,
                actor=successor.persona,
                actor_label=successor.persona.email,
                at=now,
            )
            for c in conversations
        ]
    )
    Conversation.objects.for_tenant(tenant).filter(pk__in=ids).update(
        collaborator=successor, last_activity_at=now
    )
    Participation.objects.for_tenant(tenant).filter(conversation_id__in=ids).update(last_activity_at=now)
    collaborator.successor = successor
    collaborator.save(update_fields=["successor"])
    _audit(
        tenant,
        actor,
        "messaging.conversations_handed_over",
        target=collaborator,
        request=request,
        details={"successor": successor.pk, "conversations": len(ids)},
    )
    return len(ids)
