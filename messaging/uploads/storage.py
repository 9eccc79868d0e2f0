"""The private "uploads" storage, local or S3, written and read a chunk at a time.

Nothing here holds a whole file: a write goes through a temporary file on disk at most one S3 part
long, and a read yields blocks of READ_BLOCK bytes."""

import os
import shutil
import tempfile
from collections.abc import Iterator

from django.core.files.storage import storages

# S3 needs parts of 5 MiB at least (but the last); 8 MiB keeps a 1 GB file at 128 parts of 10,000.
PART_SIZE = 8 * 1024 * 1024
MIN_PART_SIZE = 5 * 1024 * 1024
READ_BLOCK = 1024 * 1024
PRESIGNED_SECONDS = 300


def uploads_storage():
    return storages["uploads"]


def is_s3(storage=None) -> bool:
    storage = storage or uploads_storage()
    return hasattr(storage, "bucket_name") and hasattr(storage, "connection")


def s3_key(storage, name: str) -> str:
    # django-storages' own mapping of a name to its key (the "location" prefix included).
    from storages.utils import clean_name

    return storage._normalize_name(clean_name(name))


def s3_client(storage):
    return storage.connection.meta.client


def spool() -> tempfile.SpooledTemporaryFile:
    """A buffer that moves to disk past 64 KiB, for one chunk or one part."""
    return tempfile.SpooledTemporaryFile(max_size=64 * 1024)


# --- Writing a whole file in one go (the form path) ------------------------------------------------


class LocalWriter:
    """Writes into a hidden temporary name beside the final one; commit() renames it."""

    def __init__(self, storage, name: str):
        self.path = storage.path(name)
        os.makedirs(os.path.dirname(self.path), mode=0o700, exist_ok=True)
        self.partial = self.path + ".partial"
        self.file = open(self.partial, "xb")  # noqa: SIM115  (closed in commit or abort)

    def write(self, data: bytes) -> None:
        self.file.write(data)

    def commit(self) -> None:
        self.file.close()
        os.replace(self.partial, self.path)

    def abort(self) -> None:
        self.file.close()
        try:
            os.unlink(self.partial)
        except FileNotFoundError:
            pass


class S3Writer:
    """A multipart upload begun at the first full part; a smaller file is one plain PUT."""

    def __init__(self, storage, name: str, content_type: str):
        self.client = s3_client(storage)
        self.bucket = storage.bucket_name
        self.key = s3_key(storage, name)
        self.content_type = content_type
        self.buffer = spool()
        self.buffered = 0
        self.multipart_id = ""
        self.parts: list[dict] = []

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            room = PART_SIZE - self.buffered
            self.buffer.write(view[:room])
            self.buffered += min(room, len(view))
            view = view[room:]
            if self.buffered >= PART_SIZE:
                self._flush_part()

    def _flush_part(self) -> None:
        if not self.multipart_id:
            self.multipart_id = self.client.create_multipart_upload(
                Bucket=self.bucket, Key=self.key, ContentType=self.content_type
            )["UploadId"]
        number = len(self.parts) + 1
        etag = upload_part(
            self.client, self.bucket, self.key, self.multipart_id, number, self.buffer, self.buffered
        )
        self.parts.append({"number": number, "etag": etag, "size": self.buffered})
        self.buffer.close()
        self.buffer, self.buffered = spool(), 0

    def commit(self) -> None:
        if not self.multipart_id:
            self.buffer.seek(0)
            self.client.put_object(
                Bucket=self.bucket,
                Key=self.key,
                Body=self.buffer,
                ContentLength=self.buffered,
                ContentType=self.content_type,
            )
            self.buffer.close()
            return
        if self.buffered:
            self._flush_part()
        complete_multipart(self.client, self.bucket, self.key, self.multipart_id, self.parts)

    def abort(self) -> None:
        self.buffer.close()
        if self.multipart_id:
            self.client.abort_multipart_upload(Bucket=self.bucket, Key=self.key, UploadId=self.multipart_id)


def open_writer(name: str, content_type: str):
    storage = uploads_storage()
    return S3Writer(storage, name, content_type) if is_s3(storage) else LocalWriter(storage, name)


# --- S3 multipart pieces, shared with the resumable path ------------------------------------------


def upload_part(client, bucket, key, multipart_id, number, body, length) -> str:
    body.seek(0)
    response = client.upload_part(
        Bucket=bucket, Key=key, UploadId=multipart_id, PartNumber=number, Body=body, ContentLength=length
    )
    return response["ETag"]


def complete_multipart(client, bucket, key, multipart_id, parts) -> None:
    client.complete_multipart_upload(
        Bucket=bucket,
        Key=key,
        UploadId=multipart_id,
        MultipartUpload={"Parts": [{"PartNumber": p["number"], "ETag": p["etag"]} for p in parts]},
    )


# --- Chunks of a resumable upload -----------------------------------------------------------------


def begin_chunked(name: str, content_type: str) -> str:
    """Prepare the storage for a resumable upload; returns the S3 UploadId ("" on local storage)."""
    storage = uploads_storage()
    if is_s3(storage):
        return s3_client(storage).create_multipart_upload(
            Bucket=storage.bucket_name, Key=s3_key(storage, name), ContentType=content_type
        )["UploadId"]
    path = storage.path(name)
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    open(path + ".partial", "xb").close()
    return ""


def append_local_chunk(name: str, chunk, length: int) -> None:
    """Append a received chunk (a file positioned anywhere) to the local partial file."""
    path = uploads_storage().path(name) + ".partial"
    chunk.seek(0)
    with open(path, "ab") as target:
        start = target.tell()
        try:
            shutil.copyfileobj(chunk, target, READ_BLOCK)
        except BaseException:
            # A half-written chunk would shift every later byte: the offset stays where it was.
            target.truncate(start)
            raise


def truncate_local(name: str, offset: int) -> None:
    """Cut the local partial file back to ``offset`` (a chunk whose row update failed)."""
    with open(uploads_storage().path(name) + ".partial", "r+b") as target:
        target.truncate(offset)


def put_s3_part(name: str, multipart_id: str, number: int, chunk, length: int) -> str:
    storage = uploads_storage()
    return upload_part(
        s3_client(storage), storage.bucket_name, s3_key(storage, name), multipart_id, number, chunk, length
    )


def finish_chunked(name: str, multipart_id: str, parts: list[dict]) -> None:
    storage = uploads_storage()
    if is_s3(storage):
        complete_multipart(
            s3_client(storage), storage.bucket_name, s3_key(storage, name), multipart_id, parts
        )
    else:
        path = storage.path(name)
        os.replace(path + ".partial", path)


# --- Reading and removing -------------------------------------------------------------------------


def iter_stored(name: str, block: int = READ_BLOCK) -> Iterator[bytes]:
    """The stored bytes, a block at a time."""
    storage = uploads_storage()
    if is_s3(storage):
        body = s3_client(storage).get_object(Bucket=storage.bucket_name, Key=s3_key(storage, name))["Body"]
        try:
            yield from body.iter_chunks(block)
        finally:
            body.close()
        return
    with storage.open(name, "rb") as handle:
        while data := handle.read(block):
            yield data


def remove(name: str, multipart_id: str = "") -> None:
    """Remove the stored bytes, a partial upload's included; nothing there is not an error."""
    storage = uploads_storage()
    if is_s3(storage):
        client = s3_client(storage)
        if multipart_id:
            try:
                client.abort_multipart_upload(
                    Bucket=storage.bucket_name, Key=s3_key(storage, name), UploadId=multipart_id
                )
            except client.exceptions.NoSuchUpload:
                pass
        storage.delete(name)
        return
    path = storage.path(name)
    for candidate in (path, path + ".partial"):
        try:
            os.unlink(candidate)
        except FileNotFoundError:
            pass
