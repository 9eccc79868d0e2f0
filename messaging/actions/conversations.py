"""Conversations: started, posted to, their files attached and downloaded, their messages opened.
The unread counts (per participation and per persona) are changed here, where messages are posted and
opened, so that no page ever counts messages."""

from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import (
    Activity,
    Attachment,
    Collaborator,
    Conversation,
    Message,
    MessageOpening,
    Participation,
    Persona,
)
from .common import Refused, _audit, personas_for, refusable
from .notifications import _reachable, notify

READ_ONLY = _(
    "This conversation is read-only: its collaborator no longer has access. Nobody can post in it until "
    "the service administrator hands it to someone else."
)


@refusable
def do_start_conversation(
    *, collaborator: Collaborator, title: str, emails: list[str], body: str, upload_ids=(), request=None
) -> Conversation:
    """A new conversation held under the collaborator's address, addressed to `emails`, with its
    first message; each participant is notified."""
    if not collaborator.is_active:
        raise Refused(_("Only an active collaborator can start a conversation."))
    tenant, now = collaborator.tenant, timezone.now()
    conversation = Conversation.objects.create(
        tenant=tenant,
        title=title,
        holder=collaborator.persona,
        collaborator=collaborator,
        started_by=collaborator,
        created_at=now,
        last_activity_at=now,
    )
    others = personas_for(tenant=tenant, emails=emails)
    personas = [collaborator.persona] + [p for p in others if p.pk != collaborator.persona_id]
    Participation.objects.bulk_create(  # tenant-guard: rows built with their tenant
        [
            Participation(
                tenant=tenant,
                conversation=conversation,
                persona=p,
                last_activity_at=now,
                joined_at=now,
                seen_at=now if p.pk == collaborator.persona_id else None,
            )
            for p in personas
        ]
    )
    Persona.objects.for_tenant(tenant).filter(pk__in=[p.pk for p in personas]).update(
        conversation_count=F("conversation_count") + 1
    )
    Activity.objects.create(
        tenant=tenant,
        conversation=conversation,
        kind=Activity.Kind.CREATED,
        actor=collaborator.persona,
        actor_label=collaborator.persona.email,
        at=now,
    )
    _audit(
        tenant,
        collaborator.user,
        "messaging.conversation_started",
        target=conversation,
        request=request,
        details={"participants": len(personas) - 1},
    )
    do_post_message(
        conversation=conversation,
        sender=collaborator.persona,
        body=body,
        upload_ids=upload_ids,
        request=request,
    )
    return conversation


def _expiry(tenant, now):
    return now + timedelta(days=tenant.messaging_settings.message_expiry_days)


@refusable
def do_post_message(
    *, conversation: Conversation, sender: Persona, body: str, upload_ids=(), request=None
) -> Message:
    """A message from one of the conversation's addresses. Refused on a read-only conversation, checked
    here against the row locked for the write, whatever the page showed. The others' unread counts go
    up and each of them is notified."""
    tenant, now = conversation.tenant, timezone.now()
    locked = (
        Conversation.objects.for_tenant(tenant)
        .select_for_update()
        .select_related("collaborator", "collaborator__persona")
        .get(pk=conversation.pk)
    )
    if locked.is_read_only:
        raise Refused(READ_ONLY)
    others = Participation.objects.for_tenant(tenant).filter(conversation=locked).exclude(persona=sender)
    if not Participation.objects.for_tenant(tenant).filter(conversation=locked, persona=sender).exists():
        raise Refused(_("You do not take part in this conversation."))
    message = Message.objects.create(
        tenant=tenant,
        conversation=locked,
        sender=sender,
        body=body,
        created_at=now,
        expires_at=_expiry(tenant, now),
    )
    # A persona counts the conversations it has unread: only those that had none unread change it.
    Persona.objects.for_tenant(tenant).filter(
        pk__in=others.filter(unread_count=0).values("persona_id")
    ).update(unread_conversations=F("unread_conversations") + 1)
    others.update(unread_count=F("unread_count") + 1, last_activity_at=now)
    Participation.objects.for_tenant(tenant).filter(conversation=locked, persona=sender).update(
        last_activity_at=now
    )
    added_bytes = _attach(message=message, conversation=locked, sender=sender, upload_ids=upload_ids)
    Conversation.objects.for_tenant(tenant).filter(pk=locked.pk).update(
        last_activity_at=now, message_count=F("message_count") + 1, files_bytes=F("files_bytes") + added_bytes
    )
    conversation.last_activity_at = now
    Activity.objects.create(
        tenant=tenant,
        conversation=locked,
        kind=Activity.Kind.POSTED,
        actor=sender,
        actor_label=sender.email,
        message=message,
        at=now,
    )
    actor = sender.user if sender.user_id else None
    _audit(
        tenant,
        actor,
        "messaging.message_posted",
        target=locked,
        request=request,
        details={"message": message.pk},
    )
    notify(conversation=locked, sender=sender, recipients=_reachable(others, tenant))
    return message


def _attach(*, message: Message, conversation: Conversation, sender: Persona, upload_ids) -> int:
    """The sender's uploads become the message's files, checked again against the limits (the browser
    may have skipped them); returns their bytes. A refusal undoes the whole message, its text stays
    on the page."""
    from ..selectors import file_limits
    from ..uploads import api

    if not upload_ids:
        return 0
    try:
        uploads = api.claim_uploads(
            tenant=conversation.tenant,
            owner=sender.user,
            upload_ids=upload_ids,
            limits=file_limits(tenant=conversation.tenant, conversation=conversation),
        )
    except api.UploadRefused as refused:
        raise Refused(refused.message) from refused
    Attachment.objects.bulk_create(  # tenant-guard: rows built with their tenant
        [Attachment(tenant=conversation.tenant, message=message, upload=upload) for upload in uploads]
    )
    return sum(upload.size for upload in uploads)


@transaction.atomic(savepoint=False)
def do_download_attachment(*, attachment: Attachment, participation: Participation, request=None) -> None:
    """A person of the conversation downloads one of its files: recorded in the audit log (the file's
    id, never its name), before views/files.py hands it over."""
    _audit(
        attachment.tenant,
        participation.persona.user,
        "messaging.file_downloaded",
        target=participation.conversation,
        request=request,
        details={"message": attachment.message_id, "file": str(attachment.upload_id)},
    )


@transaction.atomic(savepoint=False)
def do_open_message(*, message: Message, participation: Participation, request=None) -> bool:
    """The reader opens a message ("Ouvrir"): recorded once per address, in the history and in the
    audit log; it no longer counts as unread. Returns whether this was the first opening."""
    persona, tenant = participation.persona, message.tenant
    if message.sender_id == persona.pk:
        return False
    _opening, created = MessageOpening.objects.get_or_create(tenant=tenant, message=message, persona=persona)
    if not created:
        return False
    Activity.objects.create(
        tenant=tenant,
        conversation_id=message.conversation_id,
        kind=Activity.Kind.OPENED,
        actor=persona,
        actor_label=persona.email,
        message=message,
    )
    updated = (
        Participation.objects.for_tenant(tenant)
        .filter(pk=participation.pk, unread_count__gt=0)
        .update(unread_count=F("unread_count") - 1)
    )
    if (
        updated
        and not Participation.objects.for_tenant(tenant)
        .filter(pk=participation.pk, unread_count__gt=0)
        .exists()
    ):
        Persona.objects.for_tenant(tenant).filter(pk=persona.pk, unread_conversations__gt=0).update(
            unread_conversations=F("unread_conversations") - 1
        )
    _audit(
        tenant,
        persona.user,
        "messaging.message_opened",
        target=message.conversation,
        request=request,
        details={"message": message.pk},
    )
    return True


def mark_seen(*, participation: Participation) -> None:
    """The reader has looked at the conversation: it is no longer "new" (bold) in the list."""
    if participation.seen_at is None:
        participation.seen_at = timezone.now()
        Participation.objects.for_tenant(participation.tenant_id).filter(pk=participation.pk).update(
            seen_at=participation.seen_at
        )
