"""The clamd hook speaks INSTREAM over a socket; a fake clamd here checks the framing, that the file
arrives whole and in pieces (never in one send), and that every answer maps to the right outcome."""

import socket
import struct
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from messaging.uploads import api, scanner
from messaging.uploads.models import Upload

pytestmark = pytest.mark.django_db


class FakeClamd:
    def __init__(self, path, answer):
        self.path, self.answer = str(path), answer
        self.received, self.frames, self.command = b"", 0, b""
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(self.path)
        self.server.listen(1)
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def read_exactly(self, conn, n):
        data = b""
        while len(data) < n:
            more = conn.recv(n - len(data))
            if not more:
                raise ConnectionError
            data += more
        return data

    def serve(self):
        conn, _ = self.server.accept()
        with conn:
            self.command = self.read_exactly(conn, len(b"zINSTREAM\0"))
            while True:
                (length,) = struct.unpack("!L", self.read_exactly(conn, 4))
                if length == 0:
                    break
                self.frames += 1
                self.received += self.read_exactly(conn, length)
            answer = self.answer(self.received)
            conn.sendall(answer + b"\0")
        self.server.close()


def receive(user, data):
    return api.receive_files(
        tenant=user.tenant, owner=user, files=[SimpleUploadedFile("f.bin", data)], limits=api.Limits()
    )


def test_a_clean_answer_makes_the_file_clean(uploads_root, settings, tmp_path, user_a):
    clamd = FakeClamd(tmp_path / "clamd.sock", lambda data: b"stream: OK")
    settings.PORTAIL_CLAMD_SOCKET = clamd.path
    data = bytes(range(256)) * 4096  # 1 MiB
    [upload] = receive(user_a, data)
    clamd.thread.join(5)
    assert clamd.command == b"zINSTREAM\0"
    assert clamd.received == data
    assert clamd.frames == len(data) // scanner.CLAMD_CHUNK
    assert upload.status == Upload.Status.CLEAN


def test_a_found_answer_holds_the_file(uploads_root, settings, tmp_path, user_a):
    clamd = FakeClamd(tmp_path / "clamd.sock", lambda data: b"stream: Win.Test.Fake FOUND")
    settings.PORTAIL_CLAMD_SOCKET = clamd.path
    with pytest.raises(api.UploadRefused) as refused:
        receive(user_a, b"anything")
    assert refused.value.code == "flagged"
    assert Upload.objects.get().status == Upload.Status.HELD


@pytest.mark.parametrize("answer", [b"INSTREAM size limit exceeded. ERROR", b"", b"stream: garbage"])
def test_no_verdict_refuses_for_now_and_keeps_nothing(uploads_root, settings, tmp_path, user_a, answer):
    clamd = FakeClamd(tmp_path / "clamd.sock", lambda data: answer)
    settings.PORTAIL_CLAMD_SOCKET = clamd.path
    with pytest.raises(api.UploadRefused) as refused:
        receive(user_a, b"anything")
    assert refused.value.code == "scan_failed"
    assert not Upload.objects.exists()


def test_a_scanner_that_is_down_refuses_for_now(uploads_root, settings, tmp_path, user_a):
    settings.PORTAIL_CLAMD_SOCKET = str(tmp_path / "nobody-listens.sock")
    with pytest.raises(api.UploadRefused) as refused:
        receive(user_a, b"anything")
    assert refused.value.code == "scan_failed"
    assert not Upload.objects.exists()


def test_a_chunked_file_waits_for_a_scanner_that_is_down_and_is_never_served_meanwhile(
    uploads_root, settings, tmp_path, user_a
):
    from celery.exceptions import Retry

    from messaging.uploads import chunks, tasks

    upload = chunks.do_create_upload(
        tenant=user_a.tenant, owner=user_a, name="a.txt", size=0, content_type="", limits=api.Limits()
    )
    assert upload.status == Upload.Status.SCANNING
    settings.PORTAIL_CLAMD_SOCKET = str(tmp_path / "nobody-listens.sock")
    with pytest.raises(Retry):
        tasks.scan_upload.apply(args=[str(upload.pk)], throw=True)
    upload.refresh_from_db()
    assert upload.status == Upload.Status.SCANNING
    with pytest.raises(Http404):
        api.serve(None, upload)
    # The scanner is back: the retry makes it clean.
    settings.PORTAIL_CLAMD_SOCKET = ""
    tasks.scan_upload.apply(args=[str(upload.pk)], throw=True)
    upload.refresh_from_db()
    assert upload.status == Upload.Status.CLEAN
