"""Writes of the portal layer."""

import smtplib

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from .mail import sender
from .models import OutboundEmail

# Errors worth another try: the SMTP server or the network, not a bad message.
TRANSIENT_MAIL_ERRORS = (smtplib.SMTPException, OSError)


def do_deliver_email(*, email_id: int) -> bool:
    """Hand one queued mail to the mail backend. Returns False when it had already left, so a
    redelivered task never sends twice. Transient errors propagate for the task to retry."""
    with transaction.atomic():
        # tenant-guard: the id comes from the mail task, which the portal itself enqueued
        email = OutboundEmail.objects.select_for_update().get(pk=email_id)
        if email.status == OutboundEmail.Status.SENT:
            return False
        email.attempts += 1
        email.save(update_fields=["attempts"])
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=sender(email.tenant, email.language),
        to=[email.to],
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(email.body_html, "text/html")
    try:
        message.send()
    except TRANSIENT_MAIL_ERRORS as exc:
        email.last_error = f"{type(exc).__name__}: {exc}"[:300]
        email.save(update_fields=["last_error"])
        raise
    email.status, email.sent_at, email.last_error = OutboundEmail.Status.SENT, timezone.now(), ""
    # The bodies may hold single-use links: once delivered, the outbox keeps only who, what and when.
    email.body_text = email.body_html = ""
    email.save(update_fields=["status", "sent_at", "last_error", "body_text", "body_html"])
    return True


def do_mark_email_failed(*, email_id: int) -> None:
    """Give up on a mail after the last retry; the help desk sees it as failed in the outbox."""
    # tenant-guard: the id comes from the mail task, which the portal itself enqueued
    OutboundEmail.objects.filter(pk=email_id).exclude(status=OutboundEmail.Status.SENT).update(
        status=OutboundEmail.Status.FAILED, body_text="", body_html=""
    )
