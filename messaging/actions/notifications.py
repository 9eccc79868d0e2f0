"""The notification mail of a message, its signed link to the conversation, and its resending by the
help desk (docs/journeys.md#messaging-mail)."""

from django.core import signing
from django.db import transaction

from portal.mail import send_templated_mail_many
from portal.tenancy import tenant_url

from ..models import Conversation, Participation, Persona
from .common import _audit

# A notification link opens the conversation, or an account for the address, for this long; after
# it, signing in still works and the help desk can send a fresh one (docs/journeys.md#messaging-mail).
ACCESS_LINK_DAYS = 30
ACCESS_LINK_SALT = "messaging.links.access"


def access_link(*, conversation: Conversation, persona: Persona) -> str:
    token = signing.dumps(
        {"t": conversation.tenant_id, "c": conversation.pk, "p": persona.pk}, salt=ACCESS_LINK_SALT
    )
    return tenant_url(conversation.tenant, "messaging:link", kwargs={"token": token})


def read_access_token(*, tenant, token: str) -> tuple[int, int] | None:
    """(conversation id, persona id) of a notification link of this tenant, while it lasts."""
    try:
        data = signing.loads(token, salt=ACCESS_LINK_SALT, max_age=ACCESS_LINK_DAYS * 86400)
    except signing.BadSignature:
        return None
    if data.get("t") != tenant.pk or not isinstance(data.get("c"), int) or not isinstance(data.get("p"), int):
        return None
    return data["c"], data["p"]


def _reachable(participations, tenant):
    """Who is told of a message: not a deactivated collaborator, who can no longer open it."""
    from ..selectors import inactive_collaborator_personas

    return participations.exclude(
        persona_id__in=inactive_collaborator_personas(tenant=tenant)
    ).select_related("persona__user")


def notify(*, conversation: Conversation, sender: Persona, recipients) -> int:
    """Mail each recipient that a message waits, with a link and the sender's address only: never the
    title, the words or a file name (docs/journeys.md#messaging-mail)."""
    from_collaborator = (
        sender.pk == conversation.collaborator.persona_id or sender.pk == conversation.holder_id
    )
    # Someone without an account has told us no language: the sender's is the best guess (they write
    # to each other), else the tenant's first language.
    fallback_language = sender.user.preferred_language if sender.user_id else "fr-ca"
    mails = []
    for participation in recipients:
        persona = participation.persona
        user = persona.user
        language = user.preferred_language if user is not None else fallback_language
        # Each link is the recipient's own; the rest of the mail is the same for everybody.
        link = access_link(conversation=conversation, persona=persona)
        mails.append((persona.email, language, {"link": link}))
    # One INSERT and one task for all of them, however many (docs/journeys.md#messaging-mail).
    send_templated_mail_many(
        tenant=conversation.tenant,
        recipients=mails,
        template="messaging_notification",
        context={"sender_email": sender.email, "from_collaborator": from_collaborator},
    )
    return len(mails)


@transaction.atomic(savepoint=False)
def do_resend_notification(*, conversation: Conversation, actor, request=None) -> int:
    """The help desk sends each participant a fresh link to the conversation (the old one expired,
    the mail was lost). The sender named is the collaborator in charge."""
    sender = conversation.collaborator.persona
    recipients = _reachable(
        Participation.objects.for_tenant(conversation.tenant)
        .filter(conversation=conversation)
        .exclude(persona=sender),
        conversation.tenant,
    )
    count = notify(conversation=conversation, sender=sender, recipients=recipients)
    _audit(
        conversation.tenant,
        actor,
        "messaging.notification_resent",
        target=conversation,
        request=request,
        details={"recipients": count},
    )
    return count
