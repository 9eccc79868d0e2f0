"""Writes of the portal layer."""

import logging
import os
import smtplib
import socket
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from .mail import sender
from .mail_wire import Wire, build_message
from .models import OutboundEmail

logger = logging.getLogger(__name__)

# Errors worth another try: the SMTP server or the network, not a bad message.
TRANSIENT_MAIL_ERRORS = (smtplib.SMTPException, OSError)
# Errors that leave the SMTP session usable: the server answered about this one message.
_MESSAGE_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)
# A mail is tried at most 1 + MAIL_MAX_RETRIES times, then marked failed.
MAIL_MAX_RETRIES = 8


def mail_retry_countdown(retries: int) -> int:
    """Exponential backoff: 30 s, 1 min, 2 min … capped at one hour (about 4 h in all)."""
    return min(30 * 2**retries, 3600)


def _sender(email: OutboundEmail, senders: dict) -> str:
    key = (email.tenant_id, email.language)
    if key not in senders:  # one per tenant and language in a batch, not one per mail
        senders[key] = sender(email.tenant, email.language)
    return senders[key]


def _message(email: OutboundEmail, senders=None) -> EmailMultiAlternatives:
    return build_message(
        subject=email.subject,
        body_text=email.body_text,
        body_html=email.body_html,
        from_email=_sender(email, {} if senders is None else senders),
        to=email.to,
    )


def _send_in_batch(smtp, wire: Wire | None, email: OutboundEmail, senders: dict) -> None:
    """One mail of a batch over the open SMTP session: the batch's serialized notice with this
    person's own lines when it can be (portal/mail_wire.py), otherwise built whole by Django."""
    ready = wire.bytes_for(email, _sender(email, senders)) if wire is not None else None
    if ready is None:
        smtp.send_messages([_message(email, senders)])
    else:
        smtp.connection.sendmail(*ready)


def _error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:300]


def _claimable(now):
    return Q(status=OutboundEmail.Status.QUEUED, attempts__lte=MAIL_MAX_RETRIES) & (
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )


def do_fail_abandoned_emails() -> int:
    """Fail the queued rows whose last attempt was claimed and never finished (its worker died
    every time, say on a mail that kills it): no run may claim them again (see _claimable)."""
    # tenant-guard: the sweep looks at the whole outbox, as the mail tasks do
    return OutboundEmail.objects.filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=timezone.now()),
        status=OutboundEmail.Status.QUEUED,
        attempts__gt=MAIL_MAX_RETRIES,
    ).update(
        status=OutboundEmail.Status.FAILED,
        last_error="the worker stopped during every attempt",
        body_text="",
        body_html="",
        claimed_by="",
        claimed_until=None,
    )


def new_claim_token() -> str:
    """Who holds a claim: one token per task run, never per task id (a redelivered task is a new
    run, and must not take over rows another run of the same task may still be sending)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:16]}"


def claim_emails(*, token: str, email_ids=None, limit: int, older_than=None, reserved_for: str = ""):
    """Claim up to `limit` queued rows for the run `token` for MAIL_CLAIM_LEASE seconds, and return
    them. A row is claimable when it is queued and no live claim holds it, or when it was held back
    for a retry of the run `reserved_for`. On PostgreSQL, concurrent claims skip each other's rows
    (FOR UPDATE SKIP LOCKED); on SQLite the write lock serialises them. Each claim counts as one
    attempt, so a row that keeps killing its worker ends up failed rather than retried forever."""
    now = timezone.now()
    claimable = _claimable(now)
    if reserved_for:
        queued = Q(status=OutboundEmail.Status.QUEUED, attempts__lte=MAIL_MAX_RETRIES)
        claimable |= queued & Q(claimed_by=reserved_for)
    # tenant-guard: the ids come from the mail tasks, which the portal itself enqueued
    rows = OutboundEmail.objects.filter(claimable)
    if email_ids is not None:
        rows = rows.filter(pk__in=email_ids)
    if older_than is not None:
        rows = rows.filter(created_at__lt=now - older_than)
    with transaction.atomic():
        ids = list(
            rows.select_for_update(skip_locked=True).order_by("pk").values_list("pk", flat=True)[:limit]
        )
        if not ids:
            return []
        # tenant-guard: rows of the mail tasks, which the portal itself enqueued
        OutboundEmail.objects.filter(pk__in=ids).update(
            claimed_by=token,
            claimed_until=now + timedelta(seconds=settings.MAIL_CLAIM_LEASE),
            attempts=F("attempts") + 1,
        )
    return list(
        # tenant-guard: rows of the mail tasks, which the portal itself enqueued
        OutboundEmail.objects.filter(pk__in=ids, claimed_by=token).select_related("tenant").order_by("pk")
    )


def _commit_without_waiting_for_the_disk(on: bool) -> None:
    """While a batch is sent, its marks commit without waiting for the disk (measured: the flush
    was half the time of a batch when every mail is marked as it leaves). A killed worker loses
    nothing that way: a commit is in PostgreSQL's memory once it returns. Only a crash of
    PostgreSQL itself can lose the last fraction of a second of marks, whose mails would leave again."""
    if connection.vendor == "postgresql":
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET synchronous_commit TO OFF" if on else "RESET synchronous_commit")
        except DatabaseError:
            if on:
                raise
            # Resetting on a broken connection: it is discarded with its setting.


# Only placeholders are put into {ids}, one per id.
_MARK_SENT_SQL = (
    "UPDATE portal_outboundemail SET status = %s, sent_at = %s, last_error = '', body_text = '', "
    "body_html = '', claimed_by = '', claimed_until = NULL WHERE claimed_by = %s AND id IN ({ids})"
)


def _mark_sent(ids, token: str) -> None:
    if not ids:
        return
    # The bodies may hold single-use links: once delivered, the outbox keeps only who, what and when.
    # Plain SQL: this runs once per mail, and building the same UPDATE through the ORM each time
    # cost as much CPU as the mail's MIME (measured, 0.6 ms; see benchmarks/README.md).
    # tenant-guard: the ids are rows this run claimed
    with connection.cursor() as cursor:
        sent_at = connection.ops.adapt_datetimefield_value(timezone.now())
        cursor.execute(
            _MARK_SENT_SQL.replace("{ids}", ", ".join(["%s"] * len(ids))),
            [OutboundEmail.Status.SENT, sent_at, token, *ids],
        )
        updated = cursor.rowcount
    if updated != len(ids):
        # Only when a send outlived the lease and another run claimed the row: it may leave twice.
        logger.warning("%d of %d sent mails had lost their claim", len(ids) - updated, len(ids))
        # tenant-guard: rows of the mail tasks, which the portal itself enqueued
        OutboundEmail.objects.filter(pk__in=ids).exclude(status=OutboundEmail.Status.SENT).update(
            status=OutboundEmail.Status.SENT, sent_at=timezone.now(), body_text="", body_html=""
        )


def _hold_for_retry(failed: dict, token: str) -> tuple[list[int], list[int], int]:
    """Record the error of each row that did not leave. Rows past the last attempt become failed;
    the others stay claimed by `token` until the retry is due (plus a lease, for the sweep to pick
    them up should the retry be lost). Returns (ids to retry, ids given up, seconds to the retry)."""
    if not failed:
        return [], [], 0
    # tenant-guard: rows of the mail tasks, which the portal itself enqueued
    rows = list(OutboundEmail.objects.filter(pk__in=list(failed), claimed_by=token).only("pk", "attempts"))
    give_up = [row.pk for row in rows if row.attempts > MAIL_MAX_RETRIES]
    retry = [row.pk for row in rows if row.attempts <= MAIL_MAX_RETRIES]
    # The backoff follows the rows' own attempts, whichever run (task, retry or sweep) tried them.
    retry_in = mail_retry_countdown(min([row.attempts for row in rows if row.pk in retry] or [1]) - 1)
    until = timezone.now() + timedelta(seconds=retry_in + settings.MAIL_CLAIM_LEASE)
    by_error: dict[str, list[int]] = {}
    for pk, error in failed.items():
        by_error.setdefault(error, []).append(pk)
    for error, ids in by_error.items():  # one UPDATE per distinct error, usually one in all
        # tenant-guard: rows of the mail tasks, which the portal itself enqueued
        OutboundEmail.objects.filter(pk__in=[pk for pk in ids if pk in retry], claimed_by=token).update(
            last_error=error, claimed_until=until
        )
        # tenant-guard: rows of the mail tasks, which the portal itself enqueued
        OutboundEmail.objects.filter(pk__in=[pk for pk in ids if pk in give_up], claimed_by=token).update(
            status=OutboundEmail.Status.FAILED,
            last_error=error,
            body_text="",
            body_html="",
            claimed_by="",
            claimed_until=None,
        )
    return retry, give_up, retry_in


def do_deliver_email_batch(*, emails, token: str) -> dict:
    """Send claimed rows over one SMTP session and mark them sent in small groups.

    Delivery is at-least-once only at the SMTP boundary: a run killed after the server accepted a
    message and before the UPDATE that marks it sent leaves the row claimed; once the lease passes,
    another run sends it again. MAIL_MARK_SENT_EVERY bounds that window (1: only the message in
    flight). Anywhere else a row is sent at most once: it leaves only under its claim.
    Returns {"sent": n, "retry": [ids], "retry_in": seconds, "failed": [ids]}."""
    group_size = max(1, settings.MAIL_MARK_SENT_EVERY)
    lease = settings.MAIL_CLAIM_LEASE
    smtp = get_connection()
    sent, group, failed = 0, [], {}
    lease_until = timezone.now() + timedelta(seconds=lease)
    pending = list(emails)
    senders = {}
    # Only Django's own SMTP backend has a session to write bytes to; any other (a subclass may
    # do more in send_messages) takes Django's messages.
    wire = Wire() if type(smtp) is SmtpBackend else None
    _commit_without_waiting_for_the_disk(True)
    try:
        smtp.open()
    except TRANSIENT_MAIL_ERRORS as exc:
        failed = {email.pk: _error_text(exc) for email in pending}
        pending = []
    try:
        while pending:
            if (lease_until - timezone.now()).total_seconds() < lease / 2:
                # A slow server: renew the claim on the rows still to send, before it can lapse.
                _mark_sent(group, token)
                sent, group = sent + len(group), []
                lease_until = timezone.now() + timedelta(seconds=lease)
                ids = [email.pk for email in pending]
                still_ours = set(
                    # tenant-guard: rows of the mail tasks, which the portal itself enqueued
                    OutboundEmail.objects.filter(pk__in=ids, claimed_by=token).values_list("pk", flat=True)
                )
                # tenant-guard: rows of the mail tasks, which the portal itself enqueued
                OutboundEmail.objects.filter(pk__in=still_ours, claimed_by=token).update(
                    claimed_until=lease_until
                )
                pending = [email for email in pending if email.pk in still_ours]
                continue
            email = pending.pop(0)
            try:
                _send_in_batch(smtp, wire, email, senders)
            except _MESSAGE_ERRORS as exc:
                failed[email.pk] = _error_text(exc)
                continue
            except TRANSIENT_MAIL_ERRORS as exc:
                # The session is gone (disconnected, timed out): the rest of the batch waits too.
                failed[email.pk] = _error_text(exc)
                failed.update({other.pk: _error_text(exc) for other in pending})
                pending = []
                break
            except Exception as exc:  # noqa: BLE001 - a mail that cannot be built: it alone waits
                # Recorded and retried like the others, so it ends up failed after its last
                # attempt instead of being claimed again and again by the sweep.
                logger.exception("mail %s could not be sent", email.pk)
                failed[email.pk] = _error_text(exc)
                continue
            group.append(email.pk)
            if len(group) >= group_size:
                _mark_sent(group, token)
                sent, group = sent + len(group), []
    finally:
        _mark_sent(group, token)
        sent += len(group)
        try:
            smtp.close()
        except TRANSIENT_MAIL_ERRORS:
            pass
        _commit_without_waiting_for_the_disk(False)
    retry, give_up, retry_in = _hold_for_retry(failed, token)
    return {"sent": sent, "retry": retry, "retry_in": retry_in, "failed": give_up}


def do_deliver_email(*, email_id: int) -> bool:
    """Hand one queued mail to the mail backend, in its own task and SMTP session: the pipeline
    before batches, kept for tasks enqueued before the upgrade (and measured against the batches in
    benchmarks/mail.py). Returns False when it had already left or another run holds it, so a
    redelivered task never sends twice. Transient errors propagate for the task to retry."""
    token = new_claim_token()
    with transaction.atomic():
        # tenant-guard: the id comes from the mail task, which the portal itself enqueued
        email = OutboundEmail.objects.select_for_update().get(pk=email_id)
        now = timezone.now()
        if email.status == OutboundEmail.Status.SENT or (email.claimed_until and email.claimed_until >= now):
            return False
        email.attempts += 1
        email.claimed_by, email.claimed_until = token, now + timedelta(seconds=settings.MAIL_CLAIM_LEASE)
        email.save(update_fields=["attempts", "claimed_by", "claimed_until"])
    try:
        _message(email).send()
    except TRANSIENT_MAIL_ERRORS as exc:
        email.last_error = _error_text(exc)
        email.claimed_by, email.claimed_until = "", None
        email.save(update_fields=["last_error", "claimed_by", "claimed_until"])
        raise
    email.status, email.sent_at, email.last_error = OutboundEmail.Status.SENT, timezone.now(), ""
    # The bodies may hold single-use links: once delivered, the outbox keeps only who, what and when.
    email.body_text = email.body_html = ""
    email.claimed_by, email.claimed_until = "", None
    email.save(
        update_fields=[
            "status",
            "sent_at",
            "last_error",
            "body_text",
            "body_html",
            "claimed_by",
            "claimed_until",
        ]
    )
    return True


def do_mark_email_failed(*, email_id: int) -> None:
    """Give up on a mail after the last retry; the help desk sees it as failed in the outbox."""
    # tenant-guard: the id comes from the mail task, which the portal itself enqueued
    OutboundEmail.objects.filter(pk=email_id).exclude(status=OutboundEmail.Status.SENT).update(
        status=OutboundEmail.Status.FAILED, body_text="", body_html="", claimed_by="", claimed_until=None
    )
