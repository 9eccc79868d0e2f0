"""The S3 path against moto's S3 in server mode: multipart upload (form and resumable), a presigned
download that lives 5 minutes at most, and deletion at expiry. Same API as the local storage."""

import hashlib
import urllib.parse
import urllib.request

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import RequestFactory

from messaging.uploads import api, storage
from messaging.uploads.models import Upload
from messaging.uploads.scanner import EICAR

from .conftest import bucket_keys, open_multiparts
from .test_resumable import create, offset_of, patch

pytestmark = pytest.mark.django_db
MiB = 1024 * 1024


def payload(size: int) -> bytes:
    block = hashlib.sha256(b"seed").digest() * 32  # 1 KiB of varied bytes
    return (block * (size // len(block) + 1))[:size]


def fetch(url: str):
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - the test's own moto server
        return response.headers, response.read()


def test_a_form_upload_goes_up_in_parts_and_downloads_by_a_short_presigned_url(s3_bucket, user_a):
    data = payload(storage.PART_SIZE + 3 * MiB)  # two parts
    [upload] = api.receive_files(
        tenant=user_a.tenant,
        owner=user_a,
        files=[SimpleUploadedFile("Relevé 2025.pdf", data, "application/pdf")],
        limits=api.Limits(),
    )
    assert upload.status == Upload.Status.CLEAN
    assert upload.sha256 == hashlib.sha256(data).hexdigest()
    key = f"uploads/{upload.storage_name}"
    assert bucket_keys(s3_bucket) == [key] and open_multiparts(s3_bucket) == []
    # A multipart object's ETag ends with its number of parts.
    assert s3_bucket.head_object(Bucket=s3_bucket.bucket, Key=key)["ETag"].strip('"').endswith("-2")

    response = api.serve(RequestFactory().get("/"), upload)
    assert response.status_code == 302
    url = response["Location"]
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    assert 0 < int(query["X-Amz-Expires"][0]) <= 300
    assert query["response-content-disposition"] == ["attachment; filename*=utf-8''Relev%C3%A9%202025.pdf"]
    assert response["Referrer-Policy"] == "no-referrer" and "no-store" in response["Cache-Control"]
    headers, body = fetch(url)
    assert body == data
    assert headers["Content-Type"] == "application/pdf"
    assert headers["Content-Disposition"] == "attachment; filename*=utf-8''Relev%C3%A9%202025.pdf"


def test_a_small_file_is_one_put_and_its_address_is_signed(s3_bucket, user_a):
    [upload] = api.receive_files(
        tenant=user_a.tenant, owner=user_a, files=[SimpleUploadedFile("a.txt", b"abc")], limits=api.Limits()
    )
    key = f"uploads/{upload.storage_name}"
    assert "-" not in s3_bucket.head_object(Bucket=s3_bucket.bucket, Key=key)["ETag"]
    url = api.serve(RequestFactory().get("/"), upload)["Location"]
    assert "X-Amz-Signature=" in url and "X-Amz-Credential=" in url
    assert fetch(url)[1] == b"abc"


def test_too_big_on_s3_leaves_no_object_and_no_open_multipart(s3_bucket, user_a):
    liar = SimpleUploadedFile("gros.bin", payload(storage.PART_SIZE + 2 * MiB))
    liar.size = 10
    with pytest.raises(api.UploadRefused) as refused:
        api.receive_files(
            tenant=user_a.tenant,
            owner=user_a,
            files=[liar],
            limits=api.Limits(max_total_bytes=storage.PART_SIZE + MiB),
        )
    assert refused.value.code == "too_large"
    assert bucket_keys(s3_bucket) == [] and open_multiparts(s3_bucket) == []
    assert not Upload.objects.exists()


@pytest.fixture
def mounted(settings):
    settings.TENANT_URLCONF = "tests.messaging.uploads.urls_tenant"


def test_a_resumable_upload_is_a_multipart_upload_that_resumes(
    s3_bucket, mounted, user_a, sign_in, django_capture_on_commit_callbacks
):
    owner = sign_in(user_a)
    chunk = storage.MIN_PART_SIZE
    data = payload(2 * chunk + 12345)
    url = create(owner, user_a.tenant, name="film.mp4", size=len(data), type_="video/mp4").json()["url"]
    upload = Upload.objects.get()
    assert upload.multipart_id and open_multiparts(s3_bucket) == [f"uploads/{upload.storage_name}"]

    # A chunk under S3's 5 MiB that is not the last cannot be a part.
    assert patch(owner, url, data[:1000], 0).status_code == 400
    assert patch(owner, url, data[:chunk], 0).status_code == 204
    assert patch(owner, url, data[:chunk], 0).status_code == 409  # sent twice after a lost answer
    offset = offset_of(owner, url)
    assert offset == chunk
    with django_capture_on_commit_callbacks(execute=True):
        assert patch(owner, url, data[offset : offset + chunk], offset).status_code == 204
        assert patch(owner, url, data[2 * chunk :], 2 * chunk).status_code == 204
    upload.refresh_from_db()
    assert [p["size"] for p in upload.parts] == [chunk, chunk, 12345]
    assert upload.status == Upload.Status.CLEAN
    assert upload.sha256 == hashlib.sha256(data).hexdigest()
    assert open_multiparts(s3_bucket) == []
    assert fetch(api.serve(None, upload)["Location"])[1] == data


def test_a_flagged_resumable_upload_is_held_on_s3(
    s3_bucket, mounted, user_a, sign_in, django_capture_on_commit_callbacks
):
    owner = sign_in(user_a)
    data = b"x" * 100 + EICAR
    url = create(owner, user_a.tenant, name="x.txt", size=len(data)).json()["url"]
    with django_capture_on_commit_callbacks(execute=True):
        patch(owner, url, data, 0)
    upload = Upload.objects.get()
    assert upload.status == Upload.Status.HELD
    with pytest.raises(Http404):
        api.serve(None, upload)


def test_delete_stored_removes_the_object_and_an_unfinished_multipart(s3_bucket, mounted, user_a, sign_in):
    [done] = api.receive_files(
        tenant=user_a.tenant, owner=user_a, files=[SimpleUploadedFile("a.txt", b"abc")], limits=api.Limits()
    )
    owner = sign_in(user_a)
    url = create(owner, user_a.tenant, size=2 * storage.MIN_PART_SIZE).json()["url"]
    assert patch(owner, url, payload(storage.MIN_PART_SIZE), 0).status_code == 204
    unfinished = Upload.objects.get(status=Upload.Status.RECEIVING)
    assert len(bucket_keys(s3_bucket)) == 1 and len(open_multiparts(s3_bucket)) == 1

    api.delete_stored(done)
    api.delete_stored(unfinished)
    assert bucket_keys(s3_bucket) == [] and open_multiparts(s3_bucket) == []
    assert set(Upload.objects.values_list("status", flat=True)) == {Upload.Status.DELETED}
