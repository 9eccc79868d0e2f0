"""The ZIP export of a conversation (docs/journeys.md#messaging-export): the collaborator in charge gets
one archive with every message, every clean file and a manifest whose SHA-256 digests match the bytes;
expired words and held files stay out; everyone else gets the 404 of a missing conversation. The
archive streams: memory and queries do not grow with the files or the messages."""

import hashlib
import io
import json
import tracemalloc
import zipfile
import zoneinfo
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from messaging import actions
from messaging.models import Activity, Attachment, Message
from messaging.uploads import api
from messaging.uploads.models import Upload
from portal.models import AuditEntry
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("uploads_root")]


def url(conversation):
    return f"/alpha/messages/{conversation.pk}/export/"


def attach(conversation, persona, body, *files):
    """A message with files, received and scanned as the form path does."""
    uploads = api.receive_files(
        tenant=conversation.tenant, owner=persona.user, files=list(files), limits=api.Limits()
    )
    return actions.do_post_message(
        conversation=conversation, sender=persona, body=body, upload_ids=[u.pk for u in uploads]
    )


def held_file(conversation, message, name="facture piégée.pdf"):
    """A file the virus check held after the message took it (a chunked upload scanned later)."""
    upload = Upload.objects.create(
        tenant=conversation.tenant,
        owner=message.sender.user,
        name=name,
        size=68,
        storage_name="t0/held",
        status=Upload.Status.HELD,
    )
    return Attachment.objects.create(tenant=conversation.tenant, message=message, upload=upload)


def download(client, conversation):
    response = client.get(url(conversation))
    assert response.status_code == 200, response
    assert response.streaming
    return response, b"".join(response.streaming_content)


def test_the_collaborator_exports_every_message_and_clean_file_with_a_manifest_that_matches(
    client, sign_in, conversation, collaborator, participant
):
    participant_persona = conversation.participations.get(persona__email=participant.email).persona
    reply = attach(
        conversation,
        participant_persona,
        "Voici le relevé demandé.",
        SimpleUploadedFile("relevé: mars?.pdf", b"%PDF-1.4 releve", content_type="application/pdf"),
        SimpleUploadedFile("..\\photo.jpg", b"\xff\xd8\xff photo", content_type="image/jpeg"),
    )
    held = held_file(conversation, reply)
    old = attach(
        conversation,
        collaborator.persona,
        "Mot de passe du dossier : secret-ancien",
        SimpleUploadedFile("ancien.txt", b"ancien contenu", content_type="text/plain"),
    )
    Message.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(days=1))

    sign_in(collaborator.user)
    response, data = download(client, conversation)

    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    today = timezone.localdate(timezone=zoneinfo.ZoneInfo(str(conversation.tenant.time_zone)))
    assert f'filename="conversation-{conversation.pk}-{today:%Y-%m-%d}.zip"' in disposition
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None
    names = archive.namelist()
    assert names == [
        "messages.txt",
        "files/1-relevé_ mars_.pdf",
        "files/2-photo.jpg",
        "manifest.json",
        "SHA256SUMS",
    ]
    assert archive.read("files/1-relevé_ mars_.pdf") == b"%PDF-1.4 releve"
    assert archive.read("files/2-photo.jpg") == b"\xff\xd8\xff photo"

    text = archive.read("messages.txt").decode()
    assert "Bonjour, voici le premier message confidentiel." in text
    assert "Voici le relevé demandé." in text
    assert "Expéditeur : pat@alpha.test" in text
    assert "Titulaire : collab@alpha.test" in text
    # The tenant's zone with its French abbreviation, as the window shows it.
    assert text.count(" HNE") + text.count(" HAE") + text.count(" UTC") >= 4
    # The expired message: its date, never its words nor its file.
    assert "secret-ancien" not in text
    assert "Message expiré le " in text
    assert b"ancien contenu" not in data
    assert "facture piégée.pdf" in text and "retenu par l’analyse antivirus" in text

    manifest = json.loads(archive.read("manifest.json"))
    listed = {entry["name"]: entry for entry in manifest["entries"]}
    assert set(listed) == set(names) - {"manifest.json", "SHA256SUMS"}
    for name, entry in listed.items():
        content = archive.read(name)
        assert entry["sha256"] == hashlib.sha256(content).hexdigest()
        assert entry["size"] == len(content)
    reasons = {item["file"]: item["reason"] for item in manifest["absent"]}
    assert reasons == {"3-facture piégée.pdf": "held", "4-ancien.txt": "expired"}
    assert held.upload.name not in " ".join(names)
    sums = dict(reversed(line.split("  ", 1)) for line in archive.read("SHA256SUMS").decode().splitlines())
    assert set(sums) == set(names) - {"SHA256SUMS"}
    for name, digest in sums.items():
        assert digest == hashlib.sha256(archive.read(name)).hexdigest()

    entry = AuditEntry.objects.get(action="messaging.conversation_exported")
    assert entry.actor == collaborator.user
    assert (
        Activity.objects.filter(
            conversation=conversation, kind=Activity.Kind.EXPORTED, actor=collaborator.persona
        ).count()
        == 1
    )
    history = client.get(f"/alpha/messages/{conversation.pk}/activity/").content.decode()
    assert "A exporté la conversation" in history


def test_the_export_is_in_the_readers_language(client, sign_in, conversation, collaborator):
    sign_in(collaborator.user)
    client.cookies["django_language"] = "en"
    _response, data = download(client, conversation)
    text = zipfile.ZipFile(io.BytesIO(data)).read("messages.txt").decode()
    assert "Sender: collab@alpha.test" in text
    assert " EST" in text or " EDT" in text or " UTC" in text


def test_the_window_offers_the_export_to_the_collaborator_in_charge_only(
    client, sign_in, conversation, collaborator, participant
):
    sign_in(collaborator.user)
    page = client.get(f"/alpha/messages/{conversation.pk}/").content.decode()
    assert f'href="/alpha/messages/{conversation.pk}/export/"' in page
    assert "Exporter (ZIP)" in page
    client.logout()
    sign_in(participant)
    page = client.get(f"/alpha/messages/{conversation.pk}/").content.decode()
    assert conversation.title in page
    assert "/export/" not in page and "Exporter (ZIP)" not in page


def test_a_participant_gets_404_like_a_missing_conversation(client, sign_in, conversation, participant):
    sign_in(participant)
    assert client.get(url(conversation)).status_code == 404
    assert client.get(f"/alpha/messages/{conversation.pk + 999}/export/").status_code == 404
    assert not AuditEntry.objects.filter(action="messaging.conversation_exported").exists()


def test_another_participant_gets_404(client, sign_in, conversation, other_participant):
    sign_in(other_participant)
    assert client.get(url(conversation)).status_code == 404


def test_a_collaborator_who_takes_part_but_is_not_in_charge_gets_404(
    client, sign_in, collaborator, messaging_admin, tenant_a
):
    other = UserFactory(tenant=tenant_a, identifier="autre@alpha.test", email="autre@alpha.test")
    actions.do_enable_collaborator(tenant=tenant_a, email=other.email, actor=messaging_admin)
    conversation = actions.do_start_conversation(
        collaborator=collaborator, title="Dossier partagé", emails=[other.email], body="Bonjour"
    )
    actions.do_confirm_persona(user=other, email=other.email)
    sign_in(other)
    assert client.get(f"/alpha/messages/{conversation.pk}/").status_code == 200
    assert client.get(url(conversation)).status_code == 404


def test_after_a_hand_over_the_successor_exports_and_the_starter_does_not(
    client, sign_in, conversation, collaborator, messaging_admin, tenant_a
):
    heir = UserFactory(tenant=tenant_a, identifier="heir@alpha.test", email="heir@alpha.test")
    successor = actions.do_enable_collaborator(tenant=tenant_a, email=heir.email, actor=messaging_admin)
    actions.do_deactivate_collaborator(collaborator=collaborator, actor=messaging_admin)
    actions.do_hand_over_conversations(collaborator=collaborator, successor=successor, actor=messaging_admin)
    actions.do_confirm_persona(user=heir, email=heir.email)
    sign_in(collaborator.user)
    assert client.get(url(conversation)).status_code == 404
    client.logout()
    sign_in(heir)
    _response, data = download(client, conversation)
    assert "Bonjour, voici le premier" in zipfile.ZipFile(io.BytesIO(data)).read("messages.txt").decode()


def test_a_person_of_another_tenant_gets_404(client, sign_in, conversation, tenant_b):
    tenant_b.modules = ["messaging"]
    tenant_b.save()
    stranger = UserFactory(tenant=tenant_b, identifier="collab@alpha.test", email="collab@alpha.test")
    sign_in(stranger)
    assert client.get(f"/beta/messages/{conversation.pk}/export/").status_code == 404
    response = client.get(url(conversation))  # beta's session is anonymous on alpha
    assert response.status_code == 302 and "/sign-in/" in response["Location"]


def test_an_anonymous_visitor_is_sent_to_sign_in(client, conversation):
    response = client.get(url(conversation))
    assert response.status_code == 302 and "/sign-in/" in response["Location"]
    assert not AuditEntry.objects.filter(action="messaging.conversation_exported").exists()


def test_memory_stays_flat_while_a_32_mib_file_is_exported(
    client, sign_in, conversation, collaborator, tmp_path
):
    size = 32 * 1024 * 1024
    source = tmp_path / "grand.bin"
    digest = hashlib.sha256()
    with source.open("wb") as out:
        block = hashlib.sha256(b"seed").digest() * (1024 * 1024 // 32)
        for i in range(32):
            chunk = bytes([i]) + block[1:]
            digest.update(chunk)
            out.write(chunk)
    with source.open("rb") as handle:
        attach(
            conversation,
            collaborator.persona,
            "Le grand fichier.",
            UploadedFile(handle, name="grand.bin", content_type="application/octet-stream", size=size),
        )
    sign_in(collaborator.user)

    tracemalloc.start()
    try:
        response = client.get(url(conversation))
        tail, total = b"", 0
        for chunk in response.streaming_content:
            total += len(chunk)
            tail = (tail + chunk)[-22:]  # the end of central directory record
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert total > size
    assert tail[:4] == b"PK\x05\x06"
    assert peak < 6 * 1024 * 1024, f"peak {peak / 2**20:.1f} MiB"


def test_a_large_file_reads_back_whole_with_its_digest(client, sign_in, conversation, collaborator, tmp_path):
    """The same large file, read back: the streamed bytes are the file's (the flat-memory test above
    only counts them)."""
    content = bytes(range(256)) * (4 * 1024 * 1024 // 256)
    attach(
        conversation,
        collaborator.persona,
        "Quatre Mo.",
        SimpleUploadedFile("quatre.bin", content, content_type="application/octet-stream"),
    )
    sign_in(collaborator.user)
    _response, data = download(client, conversation)
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.read("files/1-quatre.bin") == content
    manifest = json.loads(archive.read("manifest.json"))
    assert {e["name"]: e["sha256"] for e in manifest["entries"]}["files/1-quatre.bin"] == (
        hashlib.sha256(content).hexdigest()
    )


def _queries_for_export(client, conversation):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url(conversation))
        b"".join(response.streaming_content)
    return len(queries)


def test_the_queries_do_not_grow_with_the_messages(client, sign_in, conversation, collaborator):
    sign_in(collaborator.user)
    attach(
        conversation,
        collaborator.persona,
        "Avec un fichier.",
        SimpleUploadedFile("un.txt", b"un", content_type="text/plain"),
    )
    _queries_for_export(client, conversation)  # the first request of a session loads its account once
    few = _queries_for_export(client, conversation)

    now = timezone.now()
    Message.objects.bulk_create(
        [
            Message(
                tenant=conversation.tenant,
                conversation=conversation,
                sender=collaborator.persona,
                body=f"Message {n}",
                created_at=now + timedelta(seconds=n),
                expires_at=now + timedelta(days=365),
            )
            for n in range(40)
        ]
    )
    many = _queries_for_export(client, conversation)
    assert many == few


def test_files_past_the_zip64_limit_get_zip64_entries(
    client, sign_in, conversation, collaborator, monkeypatch
):
    """A file over 2 GiB needs ZIP64 headers; the limit is lowered so that a small file takes that path
    (zipfile reads it at run time)."""
    content = b"0123456789abcdef" * 4096
    attach(
        conversation,
        collaborator.persona,
        "Un fichier « énorme ».",
        SimpleUploadedFile("énorme.bin", content, content_type="application/octet-stream"),
    )
    sign_in(collaborator.user)
    monkeypatch.setattr(zipfile, "ZIP64_LIMIT", 1024)
    _response, data = download(client, conversation)
    monkeypatch.undo()
    archive = zipfile.ZipFile(io.BytesIO(data))
    info = archive.getinfo("files/1-énorme.bin")
    assert info.extra[:2] == b"\x01\x00"  # the ZIP64 extra field comes first
    assert archive.read(info) == content
    assert archive.testzip() is None
