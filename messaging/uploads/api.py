"""The one door the conversations use for files. Everything else in messaging.uploads is private.

Wiring (once):

* ``messaging/urls.py``: ``path("files/", include("messaging.uploads.urls"))`` (namespace "uploads",
  so ``messaging:uploads:create``); the endpoints answer only the owner of an upload, CSRF on.
* ``MessagingConfig.ready()``: ``register_limits_provider(fn)`` with ``fn(request, context) -> Limits``
  (the tenant's blocked types, 1 GB per message, what the conversation ``context`` has left of its
  quota; raise Http404 for a conversation the person may not post to); and connect ``upload_held``
  to tell the sender of a chunked file that the scanner held after the message was posted.
* The periodic expiry task calls :func:`delete_stored` for each expired file and
  :func:`sweep_abandoned` for uploads no message took.

A message with files:

* The post form declares ``files = FilesField(label=...)``; the view calls
  ``form.fields["files"].set_limits(limits)`` (shown as the field's help, before anything is sent) and
  ``form.fields["files"].enable_resumable(upload_url=reverse("messaging:uploads:create"),
  context=conversation.pk)``. Without JavaScript the files come with the form (small files); with it,
  each file goes up in chunks first and the form carries hidden ``UPLOAD_IDS_FIELD`` ("upload_ids").
* No-JS files: the post view passes ``form.cleaned_data["files"]`` to :func:`receive_files` BEFORE
  opening its own transaction, catching :class:`UploadRefused` to show ``error.message`` on the form
  with the typed text kept; the files come back stored and scanned (``clean``).
* Then the action that writes the message calls :func:`claim_uploads` inside its transaction with the
  ids of both kinds; it re-checks owner, completeness, the scanner and the limits, marks them attached
  and returns the ``Upload`` rows to link to the message (a FK or M2M to ``messaging_uploads.Upload``).
* A download view finds the file with :func:`get_upload`, checks that the reader may see the message,
  then returns :func:`serve`. An export reads :func:`iter_bytes`. Expiry calls :func:`delete_stored`.

A file flagged by the scanner becomes ``held``: never served, to anyone. On the form path the refusal
says so at once; a chunked file is scanned once complete (a task): the browser is told by the upload's
status, and ``upload_held`` is sent (with ``upload=``) so the conversation can tell its sender too.
"""

import hashlib
import os
import re
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.dispatch import Signal
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.audit import record_audit

from . import scanner, storage
from .models import Upload

__all__ = [
    "DEFAULT_BLOCKED_EXTENSIONS",
    "DEFAULT_MAX_TOTAL_BYTES",
    "Limits",
    "Upload",
    "UploadRefused",
    "claim_uploads",
    "delete_stored",
    "get_upload",
    "iter_bytes",
    "receive_files",
    "register_limits_provider",
    "scan",
    "serve",
    "sweep_abandoned",
    "upload_held",
]

DEFAULT_MAX_TOTAL_BYTES = 1024**3  # "jusqu'à concurrence de 1 Go" per message (seed 001)
# Types that run when opened on a desktop; a tenant may block more or fewer.
DEFAULT_BLOCKED_EXTENSIONS = (
    "exe", "com", "bat", "cmd", "scr", "pif", "msi", "msp", "cpl", "dll", "hta", "jar",
    "js", "jse", "vbs", "vbe", "wsf", "wsh", "ps1", "lnk", "reg", "iso",
)  # fmt: skip

# Sent with upload=<Upload> when the scanner holds a file after the request that sent it has ended
# (a chunked upload, scanned by a task): the conversation tells the sender.
upload_held = Signal()


@dataclass(frozen=True)
class Limits:
    """What one message may carry. ``remaining_quota_bytes``: what the conversation has left (None:
    no quota). ``blocked_extensions``: lower case, without the dot."""

    max_total_bytes: int = DEFAULT_MAX_TOTAL_BYTES
    blocked_extensions: tuple[str, ...] = field(default=DEFAULT_BLOCKED_EXTENSIONS)
    remaining_quota_bytes: int | None = None

    @property
    def budget(self) -> int:
        """The most bytes one message may still add."""
        if self.remaining_quota_bytes is None:
            return self.max_total_bytes
        return max(0, min(self.max_total_bytes, self.remaining_quota_bytes))

    def is_blocked(self, name: str) -> bool:
        blocked = {e.lower().lstrip(".") for e in self.blocked_extensions}
        # Windows drops trailing dots and spaces: "virus.exe. " opens as "virus.exe".
        suffix = os.path.splitext(name.rstrip(". ").lower())[1].lstrip(".")
        return bool(suffix) and suffix in blocked

    def blocked_text(self) -> str:
        """The blocked types as people read them: ".bat, .exe, …" (shown before the upload starts)."""
        return ", ".join(f".{e}" for e in sorted({e.lower().lstrip(".") for e in self.blocked_extensions}))


class UploadRefused(Exception):
    """A file that cannot be taken. ``code``: "too_large", "quota", "blocked_type", "flagged",
    "scan_failed" or "unavailable"; ``message``: translated, for the person, naming the file."""

    def __init__(self, code: str, message: str, *, file_name: str = ""):
        super().__init__(message)
        self.code = code
        self.message = message
        self.file_name = file_name


def __getattr__(name):
    # The form field lives in forms.py (it needs Limits from here); offered here as part of the door.
    if name in {"FilesField", "UPLOAD_IDS_FIELD"}:
        from . import forms

        return getattr(forms, name)
    raise AttributeError(name)


# --- Limits for the chunked views -------------------------------------------------------------------

_limits_provider: Callable | None = None


def register_limits_provider(provider: Callable) -> None:
    """The conversations register ``provider(request, context: str) -> Limits`` (in their ready()).
    ``context`` is what the page put in the file input's ``data-upload-context`` (a conversation id,
    or "" for a new one); the chunked views call it before the first byte is accepted."""
    global _limits_provider
    _limits_provider = provider


def limits_for(request, context: str) -> Limits:
    return _limits_provider(request, context) if _limits_provider else Limits()


def format_size(size: int) -> str:
    """A size as people read it, "1 Go" or "250,5 Mo" in French ("Gio" is Django's French)."""
    units = [(1024**3, _("%(size)s GB")), (1024**2, _("%(size)s MB")), (1024, _("%(size)s KB"))]
    for factor, text in units:
        if size >= factor:
            value = round(size / factor, 1)
            shown = number_format(value, decimal_pos=0 if value == int(value) else 1)
            return text % {"size": shown}
    return ngettext("%(size)s byte", "%(size)s bytes", size) % {"size": size}


# --- Refusals, named after the file -----------------------------------------------------------------


def refuse_too_large(name: str, limits: Limits) -> UploadRefused:
    if limits.remaining_quota_bytes is not None and limits.remaining_quota_bytes < limits.max_total_bytes:
        return UploadRefused(
            "quota",
            _("“%(name)s” was not sent: this conversation has only %(left)s of space left.")
            % {"name": name, "left": format_size(limits.budget)},
            file_name=name,
        )
    return UploadRefused(
        "too_large",
        _("“%(name)s” was not sent: the files of one message may total %(limit)s at most.")
        % {"name": name, "limit": format_size(limits.max_total_bytes)},
        file_name=name,
    )


def refuse_blocked(name: str, limits: Limits) -> UploadRefused:
    return UploadRefused(
        "blocked_type",
        _("“%(name)s” was not sent: files of this type are not accepted (%(types)s).")
        % {"name": name, "types": limits.blocked_text()},
        file_name=name,
    )


def refuse_flagged(name: str) -> UploadRefused:
    return UploadRefused(
        "flagged",
        _(
            "“%(name)s” was held by the virus check and will not be delivered. "
            "Check the file, then send a clean copy."
        )
        % {"name": name},
        file_name=name,
    )


def refuse_scan_failed(name: str) -> UploadRefused:
    return UploadRefused(
        "scan_failed",
        _("“%(name)s” could not be checked for viruses just now. Try again in a few minutes.")
        % {"name": name},
        file_name=name,
    )


def refuse_unavailable(name: str) -> UploadRefused:
    return UploadRefused(
        "unavailable",
        _("“%(name)s” is not ready to be sent: add it again.") % {"name": name},
        file_name=name,
    )


# --- Names and types --------------------------------------------------------------------------------

_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$")


def clean_name(raw: str) -> str:
    """The name as the person gave it, without a path or control characters, at most 255 characters."""
    name = unicodedata.normalize("NFC", raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip()
    if len(name) > 255:
        stem, ext = os.path.splitext(name)
        name = stem[: 255 - len(ext[:20])] + ext[:20]
    return name or "file"


def clean_type(raw: str | None) -> str:
    value = (raw or "").split(";", 1)[0].strip().lower()
    return value if _TYPE.match(value) else "application/octet-stream"


def new_storage_name(tenant) -> str:
    # Never the person's file name: no path, encoding or collision tricks reach the storage.
    return f"t{tenant.pk}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


# --- The form path ----------------------------------------------------------------------------------


def receive_files(*, tenant, owner, files: list[UploadedFile], limits: Limits) -> list[Upload]:
    """Store and scan the files of one posted form (``request.FILES``), each streamed into storage
    block by block while its SHA-256 is computed and the size limit enforced.

    Call it outside your transaction. Returns the uploads, ``clean``; they still need
    :func:`claim_uploads`. Raises :class:`UploadRefused` for the first refused file, having removed
    from storage every file of this call (a held one stays, held)."""
    files = [f for f in files if f is not None]
    for f in files:
        if limits.is_blocked(clean_name(f.name)):
            raise refuse_blocked(clean_name(f.name), limits)
    received: list[Upload] = []
    budget = limits.budget
    try:
        for f in files:
            upload = _stream_in(tenant=tenant, owner=owner, uploaded=f, budget=budget, limits=limits)
            budget -= upload.size
            received.append(upload)
        for upload in received:
            try:
                verdict = scan(upload, notify=False)
            except scanner.ScannerUnavailable as error:
                raise refuse_scan_failed(upload.name) from error
            if verdict.flagged:
                raise refuse_flagged(upload.name)
    except BaseException:
        for upload in received:
            if upload.status != Upload.Status.HELD:
                _discard(upload)
        raise
    return received


def _stream_in(*, tenant, owner, uploaded: UploadedFile, budget: int, limits: Limits) -> Upload:
    name = clean_name(uploaded.name)
    declared = uploaded.size or 0
    if declared > budget:
        raise refuse_too_large(name, limits)
    upload = Upload.objects.create(
        tenant=tenant,
        owner=owner,
        name=name,
        content_type=clean_type(uploaded.content_type),
        declared_size=declared,
        storage_name=new_storage_name(tenant),
    )
    digest = hashlib.sha256()
    received = 0
    writer = storage.open_writer(upload.storage_name, upload.content_type)
    try:
        for block in uploaded.chunks(storage.READ_BLOCK):
            received += len(block)
            # The declared size can lie; the bytes themselves are counted.
            if received > budget:
                raise refuse_too_large(name, limits)
            digest.update(block)
            writer.write(block)
        writer.commit()
    except BaseException:
        writer.abort()
        upload.delete()
        raise
    upload.size = received
    upload.sha256 = digest.hexdigest()
    upload.status = Upload.Status.SCANNING
    upload.completed_at = timezone.now()
    upload.save(update_fields=["size", "sha256", "status", "completed_at"])
    return upload


def _discard(upload: Upload) -> None:
    storage.remove(upload.storage_name, upload.multipart_id)
    upload.delete()


# --- Claiming for a message -------------------------------------------------------------------------


def claim_uploads(*, tenant, owner, upload_ids: Iterable, limits: Limits) -> list[Upload]:
    """Take the owner's complete, unattached uploads for one message, inside the caller's transaction.

    Checks again what the browser could have skipped: owner, type, size against ``limits``, and the
    scanner (``held`` is refused; ``scanning`` is accepted and served only once ``clean``). Raises
    :class:`UploadRefused`; an id that is not the owner's, not complete or already attached is refused as
    unavailable, whatever the reason."""
    ids = _valid_ids(upload_ids)
    uploads = list(
        Upload.objects.for_tenant(tenant)
        .select_for_update()
        .filter(pk__in=ids, owner=owner)
        .order_by("created_at")
    )
    found = {u.pk for u in uploads}
    for missing in ids:
        if missing not in found:
            raise refuse_unavailable(_("one of the files"))
    total = 0
    for upload in uploads:
        if upload.status == Upload.Status.HELD:
            raise refuse_flagged(upload.name)
        if upload.attached_at is not None or upload.status not in {
            Upload.Status.SCANNING,
            Upload.Status.CLEAN,
        }:
            raise refuse_unavailable(upload.name)
        if limits.is_blocked(upload.name):
            raise refuse_blocked(upload.name, limits)
        total += upload.size
        if total > limits.budget:
            raise refuse_too_large(upload.name, limits)
    now = timezone.now()
    Upload.objects.for_tenant(tenant).filter(pk__in=found).update(attached_at=now)
    for upload in uploads:
        upload.attached_at = now
    return uploads


def _valid_ids(upload_ids: Iterable) -> list[uuid.UUID]:
    ids = []
    for raw in upload_ids:
        try:
            value = raw if isinstance(raw, uuid.UUID) else uuid.UUID(str(raw))
        except ValueError:
            raise refuse_unavailable(_("one of the files")) from None
        if value not in ids:
            ids.append(value)
    return ids


# --- Reading ----------------------------------------------------------------------------------------


def get_upload(*, tenant, upload_id) -> Upload:
    """The tenant's upload with this id, or 404 (also for a malformed id or another tenant's upload).
    It says nothing about who may read it: the caller checks that."""
    try:
        value = upload_id if isinstance(upload_id, uuid.UUID) else uuid.UUID(str(upload_id))
    except ValueError:
        raise Http404 from None
    try:
        return Upload.objects.for_tenant(tenant).get(pk=value)
    except Upload.DoesNotExist:
        raise Http404 from None


class _StreamedFile(FileResponse):
    block_size = 256 * 1024


def serve(request, upload: Upload) -> HttpResponse:
    """The download, AFTER the caller's access check: a streamed attachment with the real name and type
    on local storage; on S3 a redirect to a presigned URL that lives 5 minutes. 404 unless ``clean``."""
    if upload.status != Upload.Status.CLEAN:
        raise Http404
    store = storage.uploads_storage()
    disposition = content_disposition_header(True, upload.name)
    if storage.is_s3(store):
        url = store.url(
            upload.storage_name,
            parameters={
                "ResponseContentDisposition": disposition,
                "ResponseContentType": upload.content_type,
            },
            expire=storage.PRESIGNED_SECONDS,
        )
        response = HttpResponseRedirect(url)
        # The signed address must not leak to the bucket's page through the Referer, nor be cached.
        response["Referrer-Policy"] = "no-referrer"
    else:
        response = _StreamedFile(store.open(upload.storage_name, "rb"), content_type=upload.content_type)
        response["Content-Disposition"] = disposition
        response["Content-Length"] = str(upload.size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def iter_bytes(upload: Upload) -> Iterator[bytes]:
    """The file's bytes, a block at a time, for an export (a ZIP of the conversation); only a clean
    file, after the caller's access check."""
    if upload.status != Upload.Status.CLEAN:
        raise Http404
    return storage.iter_stored(upload.storage_name)


# --- Scanning and expiry ----------------------------------------------------------------------------


def scan(upload: Upload, *, notify: bool = True) -> scanner.Verdict:
    """Pass the stored file through the scanner, reading it once, a block at a time (the SHA-256 of a
    chunked upload is computed on the same pass). Clean → ``clean``; flagged → ``held``, audited, and
    with ``notify`` the ``upload_held`` signal. Raises ``scanner.ScannerUnavailable`` with the status
    left at ``scanning``, for a retry."""
    session = scanner.open_session()
    digest = hashlib.sha256()
    for block in storage.iter_stored(upload.storage_name):
        digest.update(block)
        session.feed(block)
    verdict = session.close()
    if upload.sha256 and upload.sha256 != digest.hexdigest():
        # The storage gives back other bytes than those received: what was checked is not what
        # would be served, so it is held like a flagged file.
        verdict = scanner.Verdict(True, "stored-bytes-differ")
    upload.sha256 = upload.sha256 or digest.hexdigest()
    upload.status = Upload.Status.HELD if verdict.flagged else Upload.Status.CLEAN
    with transaction.atomic(savepoint=False):
        upload.save(update_fields=["sha256", "status"])
        if verdict.flagged:
            record_audit(
                tenant=upload.tenant,
                actor=None,
                action="messaging.upload_held",
                target=upload,
                details={"signature": verdict.signature[:100]},
            )
            if notify:
                transaction.on_commit(lambda: upload_held.send(sender=Upload, upload=upload))
    return verdict


def delete_stored(upload: Upload) -> None:
    """Remove the file from storage (an unfinished S3 multipart upload is aborted) and mark it
    ``deleted``; the row stays, with its name, size and SHA-256, for the conversation's history."""
    storage.remove(upload.storage_name, upload.multipart_id)
    upload.status = Upload.Status.DELETED
    upload.parts = []
    upload.save(update_fields=["status", "parts"])


def sweep_abandoned(*, older_than: timedelta = timedelta(hours=24)) -> int:
    """Remove from storage, for every tenant, the uploads no message took within ``older_than`` (a
    file chosen then left, a post that failed, an upload never finished); returns how many. For the
    periodic expiry task."""
    cutoff = timezone.now() - older_than
    # tenant-guard: a platform-wide sweep by a periodic task, no request involved
    stale = Upload.objects.filter(attached_at__isnull=True, created_at__lt=cutoff).exclude(
        status=Upload.Status.DELETED
    )
    count = 0
    for upload in stale.iterator():
        delete_stored(upload)
        count += 1
    return count
