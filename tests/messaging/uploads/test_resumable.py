"""The resumable path: create, chunks at an offset, resume after a dropped connection, scan once
complete. Only the owner reaches an upload."""

import hashlib
import io

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from messaging.uploads import api, chunks
from messaging.uploads.models import Upload
from messaging.uploads.scanner import EICAR

from .conftest import stored_files

pytestmark = pytest.mark.django_db
CHUNK_TYPE = "application/offset+octet-stream"


@pytest.fixture(autouse=True)
def _mounted(settings):
    settings.TENANT_URLCONF = "tests.messaging.uploads.urls_tenant"


def create_url(tenant):
    return f"/{tenant.slug}/messages/files/"


def create(client, tenant, *, name="rapport.pdf", size, type_="application/pdf", context="", **headers):
    data = {"name": name, "size": size, "type": type_, "context": context}
    return client.post(create_url(tenant), data, **headers)


def patch(client, url, data, offset, **extra):
    return client.generic(
        "PATCH", url, data, content_type=CHUNK_TYPE, HTTP_UPLOAD_OFFSET=str(offset), **extra
    )


def offset_of(client, url) -> int:
    response = client.head(url)
    assert response.status_code == 200
    return int(response["Upload-Offset"])


@pytest.fixture
def owner(user_a, sign_in):
    return sign_in(user_a)


def test_an_interrupted_upload_resumes_from_the_servers_offset(
    uploads_root, owner, user_a, django_capture_on_commit_callbacks
):
    data = bytes(range(256)) * 1024 * 5 + b"end"  # a little over 1.25 MiB
    size = 256 * 1024
    response = create(owner, user_a.tenant, size=len(data))
    assert response.status_code == 201
    url = response.json()["url"]
    assert response["Location"] == url and response.json()["offset"] == 0

    for offset in (0, size):  # two chunks arrive
        assert patch(owner, url, data[offset : offset + size], offset).status_code == 204
    # The connection drops half-way through the third: nothing of it is kept.
    dropped = chunks.receive_chunk(io.BytesIO(data[2 * size : 2 * size + 1000]), length=size)
    assert dropped is None

    # The browser comes back and asks where to resume.
    offset = offset_of(owner, url)
    assert offset == 2 * size
    with django_capture_on_commit_callbacks(execute=True):
        while offset < len(data):
            response = patch(owner, url, data[offset : offset + size], offset)
            assert response.status_code == 204
            offset = int(response["Upload-Offset"])

    upload = Upload.objects.get()
    assert upload.status == Upload.Status.CLEAN  # scanned by the task once complete
    assert upload.sha256 == hashlib.sha256(data).hexdigest()
    assert upload.size == upload.declared_size == len(data)
    assert stored_files(uploads_root) == [upload.storage_name]
    status = owner.get(url).json()
    assert status["status"] == "clean" and status["offset"] == len(data)

    [claimed] = api.claim_uploads(
        tenant=user_a.tenant, owner=user_a, upload_ids=[status["id"]], limits=api.Limits()
    )
    response = api.serve(None, claimed)
    assert b"".join(response.streaming_content) == data
    assert response["Content-Type"] == "application/pdf"


def test_a_chunk_at_the_wrong_offset_is_409_with_the_current_offset(uploads_root, owner, user_a):
    url = create(owner, user_a.tenant, size=300).json()["url"]
    assert patch(owner, url, b"a" * 100, 0).status_code == 204
    for wrong in (0, 50, 200):
        response = patch(owner, url, b"b" * 100, wrong)
        assert response.status_code == 409
        assert response["Upload-Offset"] == "100" and response.json()["offset"] == 100
    assert Upload.objects.get().size == 100
    assert (uploads_root / (Upload.objects.get().storage_name + ".partial")).read_bytes() == b"a" * 100


def test_a_chunk_past_the_declared_size_or_of_another_type_is_refused(uploads_root, owner, user_a):
    url = create(owner, user_a.tenant, size=100).json()["url"]
    assert patch(owner, url, b"a" * 101, 0).status_code == 413
    response = owner.generic("PATCH", url, b"a", content_type="text/plain", HTTP_UPLOAD_OFFSET="0")
    assert response.status_code == 415
    assert owner.generic("PATCH", url, b"a", content_type=CHUNK_TYPE).status_code == 400
    assert Upload.objects.get().size == 0


def test_limits_are_checked_before_the_first_byte(uploads_root, owner, user_a):
    response = create(owner, user_a.tenant, name="setup.exe", size=10)
    assert response.status_code == 422
    assert response.json()["code"] == "blocked_type" and "setup.exe" in response.json()["message"]
    response = create(owner, user_a.tenant, name="film.mp4", size=api.DEFAULT_MAX_TOTAL_BYTES + 1)
    assert response.status_code == 413 and response.json()["code"] == "too_large"
    assert create(owner, user_a.tenant, name="x", size=-1).status_code == 400
    assert not Upload.objects.exists() and stored_files(uploads_root) == []


def test_the_conversations_limits_are_asked_with_the_pages_context(uploads_root, owner, user_a):
    asked = []

    def provider(request, context):
        asked.append((request.user.pk, context))
        return api.Limits(remaining_quota_bytes=50)

    api.register_limits_provider(provider)
    try:
        response = create(owner, user_a.tenant, size=51, context="conv-42")
    finally:
        api.register_limits_provider(None)
    assert response.status_code == 413 and response.json()["code"] == "quota"
    assert asked == [(user_a.pk, "conv-42")]


def test_a_flagged_chunked_file_is_held_and_the_sender_is_told(
    uploads_root, owner, user_a, django_capture_on_commit_callbacks
):
    told = []

    def receiver(sender, upload, **kwargs):
        told.append(upload.pk)

    api.upload_held.connect(receiver)
    try:
        data = b"x" * 1000 + EICAR
        url = create(owner, user_a.tenant, name="piège.txt", size=len(data)).json()["url"]
        with django_capture_on_commit_callbacks(execute=True):
            assert patch(owner, url, data, 0).status_code == 204
    finally:
        api.upload_held.disconnect(receiver)
    upload = Upload.objects.get()
    assert upload.status == Upload.Status.HELD and told == [upload.pk]
    status = owner.get(url).json()
    assert status["status"] == "held" and "piège.txt" in status["message"]
    with pytest.raises(api.UploadRefused):
        api.claim_uploads(tenant=user_a.tenant, owner=user_a, upload_ids=[upload.pk], limits=api.Limits())


def test_an_empty_file_is_complete_at_once(uploads_root, owner, user_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = create(owner, user_a.tenant, name="vide.txt", size=0)
    assert response.status_code == 201
    upload = Upload.objects.get()
    assert upload.status == Upload.Status.CLEAN and upload.sha256 == hashlib.sha256(b"").hexdigest()


def test_nobody_else_writes_to_or_reads_an_upload(
    uploads_root, owner, user_a, other_a, user_b, sign_in, client
):
    url = create(owner, user_a.tenant, size=200).json()["url"]
    assert patch(owner, url, b"a" * 100, 0).status_code == 204
    colleague = sign_in(other_a, client=Client())
    stranger = Client()
    sign_in(user_b, client=stranger)  # signed in on tenant B: anonymous on tenant A
    for intruder, expected in [(colleague, 404), (stranger, 403), (Client(), 403)]:
        assert intruder.head(url).status_code == expected
        assert intruder.get(url).status_code == expected
        assert patch(intruder, url, b"z" * 100, 100).status_code == expected
        assert intruder.delete(url).status_code == expected
    upload = Upload.objects.get()
    assert upload.size == 100 and upload.status == Upload.Status.RECEIVING
    # Tenant B's own address for the same id is a 404 too.
    other_url = url.replace(f"/{user_a.tenant.slug}/", f"/{user_b.tenant.slug}/")
    assert stranger.head(other_url).status_code == 404


def test_the_owner_can_give_up_an_unsent_file(uploads_root, owner, user_a):
    url = create(owner, user_a.tenant, size=200).json()["url"]
    patch(owner, url, b"a" * 100, 0)
    assert owner.delete(url).status_code == 204
    assert Upload.objects.get().status == Upload.Status.DELETED
    assert stored_files(uploads_root) == []
    # Gone for good: a browser that kept its address starts a new upload instead of retrying.
    assert patch(owner, url, b"a" * 100, 100).status_code == 410
    assert owner.head(url).status_code == 410


def test_csrf_stays_on(uploads_root, user_a, sign_in):
    browser = sign_in(user_a, client=Client())
    browser.handler.enforce_csrf_checks = True
    assert create(browser, user_a.tenant, size=10).status_code == 403
    browser.get(f"/{user_a.tenant.slug}/")  # the page with the form sets the token cookie
    token = browser.cookies["csrftoken"].value
    response = create(browser, user_a.tenant, size=10, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 201
    url = response.json()["url"]
    assert patch(browser, url, b"a" * 10, 0).status_code == 403
    assert patch(browser, url, b"a" * 10, 0, HTTP_X_CSRFTOKEN=token).status_code == 204


def test_the_addresses_are_named_for_the_conversations(user_a):
    assert (
        reverse("messaging:uploads:create", urlconf="tests.messaging.uploads.urls_tenant")
        == "/messages/files/"
    )


def test_uploads_no_message_took_are_swept_after_a_day(uploads_root, owner, user_a):
    from datetime import timedelta

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    left, taken, recent = (
        api.receive_files(
            tenant=user_a.tenant,
            owner=user_a,
            files=[SimpleUploadedFile(f"{n}.txt", b"abc")],
            limits=api.Limits(),
        )[0]
        for n in ("left", "taken", "recent")
    )
    api.claim_uploads(tenant=user_a.tenant, owner=user_a, upload_ids=[taken.pk], limits=api.Limits())
    unfinished_url = create(owner, user_a.tenant, size=200).json()["url"]
    patch(owner, unfinished_url, b"a" * 100, 0)
    day_ago = timezone.now() - timedelta(hours=25)
    Upload.objects.exclude(pk=recent.pk).update(created_at=day_ago)

    assert api.sweep_abandoned() == 2
    statuses = {u.name: u.status for u in Upload.objects.all()}
    assert statuses == {
        "left.txt": Upload.Status.DELETED,
        "taken.txt": Upload.Status.CLEAN,
        "recent.txt": Upload.Status.CLEAN,
        "rapport.pdf": Upload.Status.DELETED,
    }
    assert stored_files(uploads_root) == sorted([taken.storage_name, recent.storage_name])


def test_a_chunk_whose_record_fails_leaves_the_file_at_the_old_offset(
    uploads_root, owner, user_a, monkeypatch, django_capture_on_commit_callbacks
):
    data = bytes(range(256)) * 4
    url = create(owner, user_a.tenant, size=len(data)).json()["url"]
    assert patch(owner, url, data[:512], 0).status_code == 204
    upload = Upload.objects.get()
    original_save = Upload.save

    def failing_save(self, *args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(Upload, "save", failing_save)
    # In a savepoint of its own, as the outermost transaction it is in a real request.
    with pytest.raises(RuntimeError), transaction.atomic():
        chunks.do_apply_chunk(upload=upload, offset=512, chunk=io.BytesIO(data[512:]), length=512)
    assert (uploads_root / (upload.storage_name + ".partial")).read_bytes() == data[:512]
    monkeypatch.setattr(Upload, "save", original_save)
    with django_capture_on_commit_callbacks(execute=True):
        assert patch(owner, url, data[512:], offset_of(owner, url)).status_code == 204
    upload.refresh_from_db()
    assert upload.sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.django_db(transaction=True)
def test_the_same_chunk_sent_twice_at_once_is_appended_once(uploads_root, user_a):
    """Two tabs (or a retry racing the original) send the chunk at the same offset together: one is
    appended, the other learns the new offset."""
    import threading

    from django.db import connections

    upload = chunks.do_create_upload(
        tenant=user_a.tenant, owner=user_a, name="a.bin", size=2000, content_type="", limits=api.Limits()
    )
    data = bytes(range(200)) * 5
    start = threading.Barrier(2)
    outcomes = []

    def send():
        try:
            row = Upload.objects.for_tenant(user_a.tenant).get(pk=upload.pk)
            start.wait()
            chunks.do_apply_chunk(upload=row, offset=0, chunk=io.BytesIO(data), length=len(data))
            outcomes.append("appended")
        except chunks.OffsetConflict as conflict:
            outcomes.append(f"conflict at {conflict.offset}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["appended", "conflict at 1000"]
    assert Upload.objects.get().size == 1000
    assert (uploads_root / (upload.storage_name + ".partial")).read_bytes() == data
