"""Expiry (docs/journeys.md#conv-expiry): the periodic task removes the words and files of expired
messages, from the database and the storage, and leaves "Message expiré le …" in their place; nothing
else moves, and a tenant without the module is left alone."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from messaging import actions
from messaging.models import Conversation, Message
from messaging.tasks import expire_messages
from messaging.uploads import api
from messaging.uploads.models import Upload
from portal.models import AuditEntry
from tests.messaging.uploads.conftest import bucket_keys, moto_endpoint, s3_bucket  # noqa: F401, F811 (fixtures)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("uploads_root")]


def stored(root):
    return [p for p in root.rglob("*") if p.is_file()]


def test_expired_words_and_files_leave_the_database_and_the_storage(
    client, sign_in, conversation, participant, collaborator, uploads_root
):
    mine = conversation.participations.get(persona__user=participant)
    document = SimpleUploadedFile("avis.pdf", b"%PDF expired", content_type="application/pdf")
    (upload,) = api.receive_files(
        tenant=conversation.tenant, owner=participant, files=[document], limits=api.Limits()
    )
    old = actions.do_post_message(
        conversation=conversation, sender=mine.persona, body="Mot secret périmé", upload_ids=[upload.pk]
    )
    fresh = actions.do_post_message(conversation=conversation, sender=mine.persona, body="Encore valable")
    Message.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert len(stored(uploads_root)) == 1

    result = expire_messages()
    assert result["expired"] == {"alpha": 1}
    old.refresh_from_db()
    assert old.body == "" and old.purged_at is not None
    assert Message.objects.get(pk=fresh.pk).body == "Encore valable"
    assert Upload.objects.get(pk=upload.pk).status == Upload.Status.DELETED
    assert stored(uploads_root) == []
    assert Conversation.objects.get(pk=conversation.pk).files_bytes == 0
    entry = AuditEntry.objects.get(action="messaging.messages_expired")
    assert entry.details == {"messages": 1, "files": 1}
    assert expire_messages()["expired"] == {"alpha": 0}  # once only

    sign_in(participant)
    page = client.get(f"/alpha/messages/{conversation.pk}/").content.decode()
    assert "Message expiré le" in page and "Mot secret périmé" not in page and "avis.pdf" not in page
    assert client.get(f"/alpha/messages/{conversation.pk}/files/{upload.pk}/").status_code == 404


def test_a_tenant_without_the_module_is_left_alone(conversation, tenant_a):
    Message.objects.update(expires_at=timezone.now() - timedelta(days=1))
    tenant_a.modules = ["selfservice"]
    tenant_a.save()
    assert expire_messages()["expired"] == {}
    assert Message.objects.filter(purged_at__isnull=True).count() == 1


def test_expiry_removes_the_files_from_s3(s3_bucket, conversation, participant):  # noqa: F811
    """Against moto's S3 in server mode, configured as production is (messaging.uploads' fixture)."""
    mine = conversation.participations.get(persona__user=participant)
    document = SimpleUploadedFile("avis-s3.pdf", b"%PDF on S3", content_type="application/pdf")
    (upload,) = api.receive_files(
        tenant=conversation.tenant, owner=participant, files=[document], limits=api.Limits()
    )
    message = actions.do_post_message(
        conversation=conversation, sender=mine.persona, body="Sur S3", upload_ids=[upload.pk]
    )
    assert len(bucket_keys(s3_bucket)) == 1
    Message.objects.filter(pk=message.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    expire_messages()
    assert bucket_keys(s3_bucket) == []
    assert Upload.objects.get(pk=upload.pk).status == Upload.Status.DELETED
