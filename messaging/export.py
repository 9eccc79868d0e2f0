"""The ZIP export of a conversation (docs/journeys.md#messaging-export): its messages as text, its
clean files, and a manifest of the SHA-256 of every entry, streamed as it is written.

The archive is never held whole: zipfile writes into a small pipe that the response empties after
each block, so a 1 GB file costs one storage block (plus zlib's state for the text) in memory. The
files come through messaging.uploads' one door (api.iter_bytes), only when clean."""

import hashlib
import json
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.audit import record_audit

from .models import Activity, Attachment, Message, Participation
from .templatetags.messaging import stamp
from .uploads import api

MESSAGES_NAME = "messages.txt"
MANIFEST_NAME = "manifest.json"
SUMS_NAME = "SHA256SUMS"
# Read from the database a slice at a time: memory stays flat, and the queries do not grow with the
# number of messages below this many (the test holds it).
MESSAGE_BATCH = 2000
# Files are usually compressed already (PDF, images, office files): stored as they are, they cost a
# CRC and a SHA-256 per byte, not a deflate.
FILE_COMPRESSION = zipfile.ZIP_STORED


@transaction.atomic(savepoint=False)
def do_export_conversation(*, tenant, participation: Participation, actor, request=None) -> None:
    """The collaborator in charge (`actor`, checked by selectors.access_export) exports the
    conversation: one line in its history ("Exported the conversation") and one audit entry, written
    before the first byte of the archive is sent."""
    conversation = participation.conversation
    collaborator = conversation.collaborator
    persona = collaborator.persona  # the address in charge, whichever of theirs reached the page
    Activity.objects.create(
        tenant=tenant,
        conversation=conversation,
        kind=Activity.Kind.EXPORTED,
        actor=persona,
        actor_label=persona.email,
    )
    record_audit(
        tenant=tenant,
        actor=actor,
        action="messaging.conversation_exported",
        target=conversation,
        request=request,
        details={"messages": conversation.message_count},
    )


class _Pipe:
    """A write-only, unseekable file for zipfile: what it is given waits here until the response
    takes it. Without seek(), zipfile writes each entry's sizes after its data (data descriptors)."""

    def __init__(self):
        self._parts: list[bytes] = []
        self._offset = 0

    def write(self, data) -> int:
        data = bytes(data)
        self._parts.append(data)
        self._offset += len(data)
        return len(data)

    def tell(self) -> int:
        return self._offset

    def flush(self) -> None:
        pass

    def drain(self) -> Iterator[bytes]:
        """What was written since the last call, if anything (deflate often holds its output back)."""
        if self._parts:
            data = b"".join(self._parts)
            self._parts.clear()
            yield data


_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')


def safe_name(name: str, limit: int = 150) -> str:
    """A file name every unzip program takes as a plain name in its folder: no path, no characters
    Windows refuses, no leading dot, not too long (the extension kept)."""
    name = unicodedata.normalize("NFC", api.clean_name(name))
    name = _UNSAFE.sub("_", name).strip().lstrip(".").rstrip(". ") or "file"
    if len(name) > limit:
        stem, dot, ext = name.rpartition(".")
        ext = ext[:20] if dot and stem else ""
        name = (stem if ext else name)[: limit - len(ext) - 1] + (f".{ext}" if ext else "")
    return name


@dataclass
class _Entry:
    name: str
    size: int = 0
    sha256: str = ""


class _Hashed:
    """An entry being written: counts and digests the bytes zipfile is given."""

    def __init__(self, handle, entry: _Entry):
        self.handle, self.entry, self.digest = handle, entry, hashlib.sha256()

    def write(self, data: bytes) -> None:
        self.digest.update(data)
        self.entry.size += len(data)
        self.handle.write(data)

    def close(self) -> None:
        self.handle.close()
        self.entry.sha256 = self.digest.hexdigest()


ABSENT_REASONS = {
    "held": "held by the virus check",
    "deleted": "removed at expiry",
    "expired": "its message has expired",
    "pending": "not yet checked for viruses",
}


def _absent_reason(attachment: Attachment, message_expired: bool) -> str | None:
    status = attachment.upload.status
    if status == api.Upload.Status.HELD:
        return "held"
    if status == api.Upload.Status.DELETED:
        return "deleted"
    if message_expired:
        return "expired"
    if status != api.Upload.Status.CLEAN:
        return "pending"
    return None


def _absent_text(reason: str) -> str:
    return {
        "held": _("held by the virus check; not included"),
        "deleted": _("removed at expiry; not included"),
        "expired": _("its message has expired; not included"),
        "pending": _("not yet checked for viruses; not included"),
    }[reason]


def archive_name(conversation, moment) -> str:
    return f"conversation-{conversation.pk}-{timezone.localtime(moment):%Y-%m-%d}.zip"


class ConversationArchive:
    """The archive of one conversation as an iterator of bytes, in the reader's language and the
    tenant's time zone (both captured by the view: the response is iterated after the request's
    middleware has put them back)."""

    def __init__(self, *, participation: Participation, language: str, time_zone, now=None):
        self.participation = participation
        self.conversation = participation.conversation
        self.language = language
        self.time_zone = time_zone
        self.now = now or timezone.now()

    def _localised(self):
        return _Localised(self.language, self.time_zone)

    def __iter__(self) -> Iterator[bytes]:
        pipe = _Pipe()
        conversation, tenant_id = self.conversation, self.conversation.tenant_id
        # Every attachment's row (never its bytes) up front: one query, whatever the messages.
        by_message: dict[int, list[Attachment]] = {}
        for attachment in (
            Attachment.objects.for_tenant(tenant_id)
            .filter(message__conversation=conversation)
            .select_related("upload")
            .order_by("message__created_at", "message_id", "id")
        ):
            by_message.setdefault(attachment.message_id, []).append(attachment)
        entries: list[_Entry] = []
        files: list[tuple[str, Attachment]] = []
        absent: list[dict] = []
        with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
            entry = _Entry(MESSAGES_NAME)
            entries.append(entry)
            # Its size is not known beforehand: ZIP64 headers, in case it passes 2 GiB.
            info = self._info(MESSAGES_NAME, zipfile.ZIP_DEFLATED)
            text = _Hashed(archive.open(info, "w", force_zip64=True), entry)
            with self._localised():
                text.write(self._heading().encode())
            messages = (
                Message.objects.for_tenant(tenant_id)
                .filter(conversation=conversation)
                .select_related("sender")
                .order_by("created_at", "id")
                .iterator(chunk_size=MESSAGE_BATCH)
            )
            number = 0
            for message in messages:
                lines = []
                expired = message.has_expired or message.purged_at is not None
                for attachment in by_message.get(message.pk, []):
                    number += 1
                    upload = attachment.upload
                    reason = _absent_reason(attachment, expired)
                    if reason is None:
                        path = f"files/{number}-{safe_name(upload.name)}"
                        files.append((path, attachment))
                        lines.append(path)
                    else:
                        absent.append(
                            {
                                "file": f"{number}-{safe_name(upload.name)}",
                                "message": message.pk,
                                "size": upload.size,
                                "reason": reason,
                                "why": ABSENT_REASONS[reason],
                            }
                        )
                        lines.append((upload.name, reason))
                with self._localised():
                    text.write(self._message_text(message, expired, lines).encode())
                yield from pipe.drain()
            text.close()
            yield from pipe.drain()
            for path, attachment in files:
                upload = attachment.upload
                entry = _Entry(path)
                info = self._info(path, FILE_COMPRESSION)
                info.file_size = upload.size  # zipfile chooses ZIP64 from it (over 2 GiB)
                handle = _Hashed(archive.open(info, "w"), entry)
                for block in api.iter_bytes(upload):
                    handle.write(block)
                    yield from pipe.drain()
                handle.close()
                entries.append(entry)
                yield from pipe.drain()
            manifest = self._manifest(entries, absent)
            archive.writestr(self._info(MANIFEST_NAME, zipfile.ZIP_DEFLATED), manifest)
            sums = "".join(f"{e.sha256}  {e.name}\n" for e in entries)
            sums += f"{hashlib.sha256(manifest).hexdigest()}  {MANIFEST_NAME}\n"
            archive.writestr(self._info(SUMS_NAME, zipfile.ZIP_DEFLATED), sums.encode())
        yield from pipe.drain()

    def _info(self, name: str, compression: int) -> zipfile.ZipInfo:
        local = timezone.localtime(self.now, self.time_zone)
        info = zipfile.ZipInfo(name, date_time=local.timetuple()[:6])
        info.compress_type = compression
        info.external_attr = 0o600 << 16
        return info

    def _heading(self) -> str:
        conversation = self.conversation
        return "\n".join(
            [
                conversation.title,
                _("Conversation #%(number)s") % {"number": conversation.pk},
                _("Holder: %(holder)s") % {"holder": conversation.holder.email},
                _("Collaborator in charge: %(email)s") % {"email": conversation.collaborator.persona.email},
                _("Exported on %(date)s by %(email)s")
                % {"date": stamp(self.now), "email": self.conversation.collaborator.persona.email},
                "",
                "",
            ]
        )

    def _message_text(self, message: Message, expired: bool, files: list) -> str:
        lines = [
            "-" * 72,
            _("Holder: %(holder)s") % {"holder": self.conversation.holder.email},
            _("Sender: %(sender)s") % {"sender": message.sender.email},
            _("Sent: %(date)s") % {"date": stamp(message.created_at)},
            _("Expires: %(date)s") % {"date": stamp(message.expires_at)},
            "",
        ]
        if expired:
            lines.append(_("Message expired on %(date)s.") % {"date": stamp(message.expires_at)})
        else:
            lines.append(message.body)
        for item in files:
            if isinstance(item, str):
                lines.append(_("File: %(path)s") % {"path": item})
            else:
                name, reason = item
                lines.append(_("File “%(name)s”: %(why)s") % {"name": name, "why": _absent_text(reason)})
        return "\n".join(lines) + "\n\n"

    def _manifest(self, entries: list[_Entry], absent: list[dict]) -> bytes:
        conversation = self.conversation
        data = {
            "conversation": conversation.pk,
            "title": conversation.title,
            "holder": conversation.holder.email,
            "exported_at": self.now.isoformat(),
            "exported_by": conversation.collaborator.persona.email,
            "algorithm": "sha256",
            "entries": [{"name": e.name, "size": e.size, "sha256": e.sha256} for e in entries],
            "absent": absent,
        }
        return json.dumps(data, ensure_ascii=False, indent=2).encode()


class _Localised:
    """The reader's language and the tenant's zone around one piece of text, not across a yield."""

    def __init__(self, language, time_zone):
        self.language, self.time_zone = language, time_zone

    def __enter__(self):
        self._language = translation.override(self.language)
        self._zone = timezone.override(self.time_zone)
        self._language.__enter__()
        self._zone.__enter__()

    def __exit__(self, *exc):
        self._zone.__exit__(*exc)
        self._language.__exit__(*exc)
