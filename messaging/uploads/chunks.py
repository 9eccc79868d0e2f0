"""Writes of the resumable path: create an upload, apply one chunk at its offset, cancel.

A chunk is received into a spool (disk past 64 KiB) without holding a lock; then, in a short
transaction on the upload's row, its offset is checked again and it is appended (local) or recorded as
an S3 part. Two tabs sending the same chunk: one wins, the other gets the offset back (409)."""

import os
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from . import api, storage
from .models import Upload

MAX_CHUNK = 16 * 1024 * 1024


class OffsetConflict(Exception):
    def __init__(self, offset: int):
        super().__init__(offset)
        self.offset = offset


@dataclass(frozen=True)
class ChunkResult:
    offset: int
    complete: bool


def do_create_upload(*, tenant, owner, name: str, size: int, content_type: str, limits: api.Limits) -> Upload:
    """Check the limits before the first byte, then open the storage for chunks."""
    name = api.clean_name(name)
    if limits.is_blocked(name):
        raise api.refuse_blocked(name, limits)
    if size > limits.budget:
        raise api.refuse_too_large(name, limits)
    upload = Upload(
        tenant=tenant,
        owner=owner,
        name=name,
        content_type=api.clean_type(content_type),
        declared_size=size,
        storage_name=api.new_storage_name(tenant),
    )
    upload.multipart_id = storage.begin_chunked(upload.storage_name, upload.content_type)
    upload.save()
    if size == 0:
        with transaction.atomic(savepoint=False):
            _complete(upload)
    return upload


def receive_chunk(request, *, length: int):
    """Read exactly ``length`` bytes of the request body into a spool; None if the client went away."""
    chunk = storage.spool()
    received = 0
    while received < length:
        data = request.read(min(storage.READ_BLOCK, length - received))
        if not data:
            chunk.close()
            return None
        chunk.write(data)
        received += len(data)
    return chunk


def do_apply_chunk(*, upload: Upload, offset: int, chunk, length: int) -> ChunkResult:
    """Append one received chunk at ``offset``; raises OffsetConflict when the upload is elsewhere."""
    if upload.status != Upload.Status.RECEIVING or upload.size != offset:
        raise OffsetConflict(upload.size)
    part = None
    if upload.multipart_id:
        # A number of its own for this attempt, so that a losing duplicate never overwrites the part
        # the winner recorded; parts missing from the final list are dropped by S3.
        same = Upload.objects.for_tenant(upload.tenant_id).filter(pk=upload.pk)
        same.update(part_counter=F("part_counter") + 1)
        number = same.values_list("part_counter", flat=True).get()
        etag = storage.put_s3_part(upload.storage_name, upload.multipart_id, number, chunk, length)
        part = {"number": number, "etag": etag, "size": length}
    appended = False
    try:
        with transaction.atomic(savepoint=False):
            row = Upload.objects.for_tenant(upload.tenant_id).select_for_update().get(pk=upload.pk)
            if row.status != Upload.Status.RECEIVING or row.size != offset:
                raise OffsetConflict(row.size)
            if part is None:
                storage.append_local_chunk(row.storage_name, chunk, length)
                appended = True
            else:
                row.parts = [*row.parts, part]
            row.size = offset + length
            row.save(update_fields=["size", "parts"])
            complete = row.size == row.declared_size
            if complete:
                _complete(row)
    except BaseException:
        if appended and not complete_on_disk(upload):
            # The row still says `offset`: the file must say the same, or the next chunk lands after
            # bytes the server never acknowledged.
            storage.truncate_local(upload.storage_name, offset)
        raise
    upload.refresh_from_db()
    return ChunkResult(offset=upload.size, complete=complete)


def complete_on_disk(upload: Upload) -> bool:
    """Has the partial file already been renamed to its final name (the commit went through)?"""
    return not os.path.exists(storage.uploads_storage().path(upload.storage_name) + ".partial")


def _complete(row: Upload) -> None:
    from .tasks import scan_upload

    storage.finish_chunked(row.storage_name, row.multipart_id, row.parts)
    row.status = Upload.Status.SCANNING
    row.completed_at = timezone.now()
    row.save(update_fields=["status", "completed_at"])
    transaction.on_commit(lambda: scan_upload.delay(str(row.pk)))


def do_cancel_upload(*, upload: Upload) -> None:
    """The owner gives up a file before the message is sent."""
    if upload.attached_at is None and upload.status != Upload.Status.DELETED:
        api.delete_stored(upload)
