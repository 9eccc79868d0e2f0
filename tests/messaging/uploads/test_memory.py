"""Nothing holds a whole file in memory: a 64 MiB file goes in (form and chunks), is scanned and comes
out with a Python allocation peak of a few MiB. The 1 GB figures with a real server process are in
benchmarks/upload_memory.py."""

import hashlib
import tracemalloc

import pytest
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.core.handlers.wsgi import LimitedStream
from django.test import RequestFactory

from messaging.uploads import api, views
from messaging.uploads.models import Upload

pytestmark = pytest.mark.django_db
MiB = 1024 * 1024
SIZE = 64 * MiB
PEAK_LIMIT = 4 * MiB


@pytest.fixture
def big_file(tmp_path):
    """64 MiB on disk, written before any measure starts; returns (path, sha256)."""
    path = tmp_path / "big.bin"
    digest = hashlib.sha256()
    block = hashlib.sha256(b"memory").digest() * (MiB // 32)
    with path.open("wb") as handle:
        for number in range(SIZE // MiB):
            data = number.to_bytes(4, "big") + block[4:]
            digest.update(data)
            handle.write(data)
    return path, digest.hexdigest()


def traced(work):
    tracemalloc.start()
    try:
        result = work()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak


def test_a_64_mib_form_upload_is_streamed_and_scanned_in_a_few_mib(uploads_root, user_a, big_file):
    path, sha = big_file
    uploaded = TemporaryUploadedFile("big.bin", "application/octet-stream", SIZE, None)
    with path.open("rb") as source:  # as Django's parser leaves it: the file spooled to disk
        while block := source.read(MiB):
            uploaded.write(block)
    uploaded.seek(0)
    [upload], peak = traced(
        lambda: api.receive_files(tenant=user_a.tenant, owner=user_a, files=[uploaded], limits=api.Limits())
    )
    uploaded.close()
    assert upload.sha256 == sha and upload.status == Upload.Status.CLEAN
    assert peak < PEAK_LIMIT, f"peak {peak / MiB:.1f} MiB"


def test_a_64_mib_chunked_upload_and_its_download_stay_in_a_few_mib(
    uploads_root, user_a, big_file, django_capture_on_commit_callbacks
):
    from messaging.uploads import chunks

    path, sha = big_file
    upload = chunks.do_create_upload(
        tenant=user_a.tenant, owner=user_a, name="big.bin", size=SIZE, content_type="", limits=api.Limits()
    )
    factory = RequestFactory()

    def send_all():
        with path.open("rb") as source, django_capture_on_commit_callbacks(execute=True):
            for offset in range(0, SIZE, 8 * MiB):
                request = factory.generic(
                    "PATCH",
                    f"/files/{upload.pk}/",
                    b"-",  # replaced below; its presence sets the type
                    content_type="application/offset+octet-stream",
                    HTTP_UPLOAD_OFFSET=str(offset),
                )
                # The body is read from the socket as it comes: here, from the file on disk.
                source.seek(offset)
                request.META["CONTENT_LENGTH"] = str(8 * MiB)
                request._stream = LimitedStream(source, 8 * MiB)
                request.tenant, request.user = user_a.tenant, user_a
                response = views.upload_detail(request, upload.pk)
                assert response.status_code == 204, response.content

    _, peak = traced(send_all)
    upload.refresh_from_db()
    assert upload.status == Upload.Status.CLEAN and upload.sha256 == sha
    assert peak < PEAK_LIMIT, f"upload peak {peak / MiB:.1f} MiB"

    def download():
        digest = hashlib.sha256()
        for block in api.serve(None, upload).streaming_content:
            digest.update(block)
        return digest.hexdigest()

    got, peak = traced(download)
    assert got == sha
    assert peak < MiB, f"download peak {peak / MiB:.1f} MiB"
