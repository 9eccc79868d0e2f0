"""Expiry (docs/journeys.md#conv-expiry): past its date, a message loses its words and files."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ..models import Attachment, Conversation, Message
from .common import _audit

EXPIRY_BATCH = 500


def do_expire_messages(*, tenant, now=None) -> int:
    """Every message of the tenant past its expiry date loses its words and files, from the database
    and from the storage (S3 included, through messaging.uploads); the window then reads "Message
    expiré le …". The files go first, outside the transaction: a file removed from storage whose
    message write then fails is only marked again at the next run. Returns how many messages."""
    from ..uploads import api

    now = now or timezone.now()
    done = 0
    while True:
        batch = list(
            Message.objects.for_tenant(tenant)
            .filter(expires_at__lte=now, purged_at__isnull=True)
            .order_by("expires_at", "id")
            .values_list("pk", flat=True)[:EXPIRY_BATCH]
        )
        if not batch:
            break
        attachments = list(
            Attachment.objects.for_tenant(tenant)
            .filter(message_id__in=batch)
            .select_related("upload", "message")
        )
        freed: dict[int, int] = {}
        files = 0
        for attachment in attachments:
            upload = attachment.upload
            if upload.status != upload.Status.DELETED:
                api.delete_stored(upload)
                conversation_id = attachment.message.conversation_id
                freed[conversation_id] = freed.get(conversation_id, 0) + upload.size
                files += 1
        _mark_expired(tenant=tenant, ids=batch, freed=freed, files=files, now=now)
        done += len(batch)
    return done


@transaction.atomic(savepoint=False)
def _mark_expired(*, tenant, ids, freed: dict[int, int], files: int, now) -> None:
    Message.objects.for_tenant(tenant).filter(pk__in=ids).update(body="", purged_at=now)
    for conversation_id, size in freed.items():
        Conversation.objects.for_tenant(tenant).filter(pk=conversation_id).update(
            files_bytes=F("files_bytes") - size
        )
    _audit(tenant, None, "messaging.messages_expired", details={"messages": len(ids), "files": files})
