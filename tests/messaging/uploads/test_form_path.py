"""The no-JavaScript path: files posted with the form, streamed into the private storage, scanned,
then served only after the caller's check (docs/journeys.md, secure conversations)."""

import hashlib
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import RequestFactory
from django.utils import translation

from messaging.uploads import api
from messaging.uploads.models import Upload
from messaging.uploads.scanner import EICAR
from portal.models import AuditEntry

from .conftest import stored_files

pytestmark = pytest.mark.django_db


class LyingFile(SimpleUploadedFile):
    """A file whose declared size is smaller than what it holds, as a forged request can make it."""

    def __init__(self, name, content, declared):
        super().__init__(name, content, "application/octet-stream")
        self.size = declared


def download(upload):
    response = api.serve(RequestFactory().get("/"), upload)
    return response, b"".join(response.streaming_content)


def test_a_file_is_stored_with_its_sha256_and_downloads_with_its_name_and_type(uploads_root, user_a):
    data = b"%PDF-1.7 " + bytes(range(256)) * 5000
    [upload] = api.receive_files(
        tenant=user_a.tenant,
        owner=user_a,
        files=[SimpleUploadedFile("Relevé d’été 2025.pdf", data, "application/pdf")],
        limits=api.Limits(),
    )
    upload.refresh_from_db()
    assert upload.status == Upload.Status.CLEAN
    assert upload.sha256 == hashlib.sha256(data).hexdigest()
    assert (upload.size, upload.declared_size) == (len(data), len(data))
    assert upload.tenant == user_a.tenant and upload.owner == user_a and upload.completed_at
    # The storage name says nothing of the person's file name.
    assert "Relev" not in upload.storage_name
    assert stored_files(uploads_root) == [upload.storage_name]

    response, body = download(upload)
    assert body == data
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''Relev%C3%A9%20d%E2%80%99%C3%A9t%C3%A9%202025.pdf"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Length"] == str(len(data))
    assert "no-store" in response["Cache-Control"]


def test_a_forged_type_is_served_as_plain_bytes(uploads_root, user_a):
    [upload] = api.receive_files(
        tenant=user_a.tenant,
        owner=user_a,
        files=[SimpleUploadedFile("a.txt", b"hello", 'text/html"; x=<script>')],
        limits=api.Limits(),
    )
    response, _ = download(upload)
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")


def test_a_file_over_the_limit_is_refused_while_streaming_and_nothing_stays(uploads_root, user_a):
    limits = api.Limits(max_total_bytes=3 * 1024 * 1024)
    small = SimpleUploadedFile("petit.txt", b"x" * 1000, "text/plain")
    # Declares 10 bytes, holds 4 MiB: only counting the bytes as they stream catches it.
    liar = LyingFile("gros.bin", b"y" * (4 * 1024 * 1024), declared=10)
    with translation.override("fr-ca"), pytest.raises(api.UploadRefused) as refused:
        api.receive_files(tenant=user_a.tenant, owner=user_a, files=[small, liar], limits=limits)
    assert refused.value.code == "too_large"
    assert refused.value.file_name == "gros.bin"
    assert "gros.bin" in refused.value.message and "au total" in refused.value.message
    assert refused.value.message == (
        "« gros.bin » n’a pas été envoyé : les fichiers d’un message ne peuvent pas dépasser 3 Mo au total."
    )
    # Neither the refused file nor the accepted one before it stays, in storage or in the database.
    assert stored_files(uploads_root) == []
    assert not Upload.objects.exists()


def test_a_declared_size_over_the_limit_is_refused_before_storing(uploads_root, user_a):
    with pytest.raises(api.UploadRefused) as refused:
        api.receive_files(
            tenant=user_a.tenant,
            owner=user_a,
            files=[SimpleUploadedFile("gros.bin", b"y" * 2048)],
            limits=api.Limits(max_total_bytes=1024),
        )
    assert refused.value.code == "too_large"
    assert stored_files(uploads_root) == [] and not Upload.objects.exists()


def test_the_conversation_quota_is_named_when_it_is_what_refuses(uploads_root, user_a):
    with translation.override("en"), pytest.raises(api.UploadRefused) as refused:
        api.receive_files(
            tenant=user_a.tenant,
            owner=user_a,
            files=[SimpleUploadedFile("a.bin", b"y" * 2048)],
            limits=api.Limits(remaining_quota_bytes=1024),
        )
    assert refused.value.code == "quota"
    assert refused.value.message == "“a.bin” was not sent: this conversation has only 1 KB of space left."


@pytest.mark.parametrize("name", ["setup.EXE", "facture.pdf.exe", "virus.exe. ", "script.JS"])
def test_a_blocked_type_is_refused_before_anything_is_stored(uploads_root, user_a, name):
    ok = SimpleUploadedFile("ok.pdf", b"fine")
    with translation.override("en"), pytest.raises(api.UploadRefused) as refused:
        api.receive_files(
            tenant=user_a.tenant,
            owner=user_a,
            files=[ok, SimpleUploadedFile(name, b"MZ")],
            limits=api.Limits(),
        )
    assert refused.value.code == "blocked_type"
    assert name.strip() in refused.value.message and ".exe" in refused.value.message
    assert stored_files(uploads_root) == [] and not Upload.objects.exists()


def test_a_tenant_may_allow_a_type_the_default_blocks(uploads_root, user_a):
    [upload] = api.receive_files(
        tenant=user_a.tenant,
        owner=user_a,
        files=[SimpleUploadedFile("outil.exe", b"MZ")],
        limits=api.Limits(blocked_extensions=("bat",)),
    )
    assert upload.status == Upload.Status.CLEAN


def test_a_file_flagged_by_the_scanner_is_held_never_served_and_the_sender_is_told(uploads_root, user_a):
    data = b"a" * 1_000_000 + EICAR + b"b" * 10
    good = SimpleUploadedFile("bon.txt", b"clean")
    with translation.override("fr-ca"), pytest.raises(api.UploadRefused) as refused:
        api.receive_files(
            tenant=user_a.tenant,
            owner=user_a,
            files=[good, SimpleUploadedFile("piège.txt", data, "text/plain")],
            limits=api.Limits(),
        )
    assert refused.value.code == "flagged"
    assert "piège.txt" in refused.value.message and "virus" in refused.value.message
    held = Upload.objects.get()
    assert held.name == "piège.txt" and held.status == Upload.Status.HELD
    # The held file stays (kept from everyone), the clean one of the refused post is gone.
    assert stored_files(uploads_root) == [held.storage_name]
    with pytest.raises(Http404):
        api.serve(RequestFactory().get("/"), held)
    entry = AuditEntry.objects.get(action="messaging.upload_held")
    assert entry.tenant == user_a.tenant and entry.target_id == str(held.pk)


def test_eicar_split_across_two_blocks_is_still_found(uploads_root, user_a):
    from messaging.uploads.storage import READ_BLOCK

    data = b"a" * (READ_BLOCK - 20) + EICAR + b"z"
    with pytest.raises(api.UploadRefused) as refused:
        api.receive_files(
            tenant=user_a.tenant, owner=user_a, files=[SimpleUploadedFile("x.txt", data)], limits=api.Limits()
        )
    assert refused.value.code == "flagged"


def test_an_upload_of_another_tenant_or_a_malformed_id_is_404(uploads_root, user_a, user_b):
    [upload] = api.receive_files(
        tenant=user_a.tenant, owner=user_a, files=[SimpleUploadedFile("a.txt", b"a")], limits=api.Limits()
    )
    assert api.get_upload(tenant=user_a.tenant, upload_id=str(upload.pk)) == upload
    for tenant, upload_id in [
        (user_b.tenant, upload.pk),
        (user_b.tenant, str(upload.pk)),
        (user_a.tenant, uuid.uuid4()),
        (user_a.tenant, "not-a-uuid"),
        (user_a.tenant, "1"),
    ]:
        with pytest.raises(Http404):
            api.get_upload(tenant=tenant, upload_id=upload_id)


def test_a_file_still_being_checked_is_not_served(uploads_root, user_a):
    [upload] = api.receive_files(
        tenant=user_a.tenant, owner=user_a, files=[SimpleUploadedFile("a.txt", b"a")], limits=api.Limits()
    )
    for status in [Upload.Status.SCANNING, Upload.Status.RECEIVING, Upload.Status.DELETED]:
        upload.status = status
        with pytest.raises(Http404):
            api.serve(RequestFactory().get("/"), upload)


def test_delete_stored_removes_the_file_and_keeps_the_record(uploads_root, user_a):
    [upload] = api.receive_files(
        tenant=user_a.tenant, owner=user_a, files=[SimpleUploadedFile("a.txt", b"abc")], limits=api.Limits()
    )
    api.delete_stored(upload)
    upload.refresh_from_db()
    assert upload.status == Upload.Status.DELETED
    assert upload.sha256 == hashlib.sha256(b"abc").hexdigest()
    assert stored_files(uploads_root) == []
    with pytest.raises(Http404):
        api.serve(RequestFactory().get("/"), upload)


class TestClaim:
    def receive(self, user, name="a.txt", data=b"abc"):
        [upload] = api.receive_files(
            tenant=user.tenant, owner=user, files=[SimpleUploadedFile(name, data)], limits=api.Limits()
        )
        return upload

    def test_the_owner_claims_once(self, uploads_root, user_a):
        upload = self.receive(user_a)
        claimed = api.claim_uploads(
            tenant=user_a.tenant, owner=user_a, upload_ids=[str(upload.pk)], limits=api.Limits()
        )
        assert claimed == [upload] and claimed[0].attached_at
        with pytest.raises(api.UploadRefused) as refused:
            api.claim_uploads(tenant=user_a.tenant, owner=user_a, upload_ids=[upload.pk], limits=api.Limits())
        assert refused.value.code == "unavailable"

    def test_someone_elses_upload_cannot_be_claimed(self, uploads_root, user_a, other_a, user_b):
        upload = self.receive(user_a)
        for tenant, owner in [(user_a.tenant, other_a), (user_b.tenant, user_b)]:
            with pytest.raises(api.UploadRefused) as refused:
                api.claim_uploads(tenant=tenant, owner=owner, upload_ids=[upload.pk], limits=api.Limits())
            assert refused.value.code == "unavailable" and upload.name not in refused.value.message
        upload.refresh_from_db()
        assert upload.attached_at is None

    def test_a_held_upload_is_refused_with_its_name(self, uploads_root, user_a):
        upload = self.receive(user_a)
        Upload.objects.filter(pk=upload.pk).update(status=Upload.Status.HELD)
        with pytest.raises(api.UploadRefused) as refused:
            api.claim_uploads(tenant=user_a.tenant, owner=user_a, upload_ids=[upload.pk], limits=api.Limits())
        assert refused.value.code == "flagged" and "a.txt" in refused.value.message

    def test_the_total_of_a_message_is_checked_again(self, uploads_root, user_a):
        first, second = self.receive(user_a, "1.txt", b"a" * 600), self.receive(user_a, "2.txt", b"b" * 600)
        with pytest.raises(api.UploadRefused) as refused:
            api.claim_uploads(
                tenant=user_a.tenant,
                owner=user_a,
                upload_ids=[first.pk, second.pk],
                limits=api.Limits(max_total_bytes=1000),
            )
        assert refused.value.code == "too_large"
        assert not Upload.objects.filter(attached_at__isnull=False).exists()

    def test_a_malformed_id_is_refused(self, uploads_root, user_a):
        with pytest.raises(api.UploadRefused):
            api.claim_uploads(tenant=user_a.tenant, owner=user_a, upload_ids=["../x"], limits=api.Limits())


def test_an_export_reads_the_bytes_of_a_clean_file_only(uploads_root, user_a):
    data = b"z" * (3 * 1024 * 1024 + 5)
    [upload] = api.receive_files(
        tenant=user_a.tenant, owner=user_a, files=[SimpleUploadedFile("a.bin", data)], limits=api.Limits()
    )
    blocks = list(api.iter_bytes(upload))
    assert b"".join(blocks) == data and max(map(len, blocks)) <= 1024 * 1024
    upload.status = Upload.Status.HELD
    with pytest.raises(Http404):
        api.iter_bytes(upload)


def test_a_file_whose_stored_bytes_changed_is_held(uploads_root, user_a):
    [upload] = api.receive_files(
        tenant=user_a.tenant, owner=user_a, files=[SimpleUploadedFile("a.txt", b"abc")], limits=api.Limits()
    )
    (uploads_root / upload.storage_name).write_bytes(b"abd")
    upload.status = Upload.Status.SCANNING
    verdict = api.scan(upload, notify=False)
    assert verdict.flagged and verdict.signature == "stored-bytes-differ"
    assert upload.status == Upload.Status.HELD
    assert upload.sha256 == hashlib.sha256(b"abc").hexdigest()
