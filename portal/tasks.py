"""The mail tasks. Every one acknowledges its message only once it has run (acks_late), and a task
whose worker process died is put back on the queue (reject_on_worker_lost): a mail is never lost
with its task. What keeps a requeued task from sending twice is the claim on each outbox row
(portal/actions.py, claim_emails); what delivers a row whose task never reached the broker, or
whose worker was killed, is the sweep."""

import time
from datetime import timedelta

from celery import shared_task
from django.conf import settings

from .actions import (
    MAIL_MAX_RETRIES,
    TRANSIENT_MAIL_ERRORS,
    claim_emails,
    do_deliver_email,
    do_deliver_email_batch,
    do_fail_abandoned_emails,
    do_mark_email_failed,
    mail_retry_countdown,
    new_claim_token,
)

__all__ = ["MAIL_MAX_RETRIES", "deliver_email", "deliver_email_batch", "mail_retry_countdown", "sweep_outbox"]


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def deliver_email_batch(self, email_ids: list[int], reserved_for: str = "") -> dict:
    """Deliver the queued rows among `email_ids` over one SMTP session. More ids than a batch:
    split them into one task per batch, so that every worker process takes a share. Rows that
    failed transiently come back in a retry of this task, after their backoff (per row: the
    attempts and last error are on the row, and it is failed after its last attempt)."""
    size = settings.MAIL_BATCH_SIZE
    if len(email_ids) > size:
        for start in range(0, len(email_ids), size):
            deliver_email_batch.apply_async(args=(email_ids[start : start + size],))
        return {"split": len(email_ids)}
    token = new_claim_token()
    emails = claim_emails(token=token, email_ids=email_ids, limit=size, reserved_for=reserved_for)
    result = do_deliver_email_batch(emails=emails, token=token)
    if result["retry"]:
        # The rows stay claimed by `token` until the retry is due; the retry alone may take them
        # back before that (or the sweep, once the claim has expired, should the retry be lost).
        raise self.retry(
            args=(result["retry"],), kwargs={"reserved_for": token}, countdown=result["retry_in"]
        )
    return {"claimed": len(emails), "sent": result["sent"], "failed": len(result["failed"])}


@shared_task(acks_late=True, reject_on_worker_lost=True)
def sweep_outbox() -> int:
    """Periodic (CELERY_BEAT_SCHEDULE): deliver the rows queued more than MAIL_SWEEP_AFTER seconds
    ago that no live claim holds. That is a mail whose task never reached the broker (down at
    commit), a row whose worker was killed once its claim lapsed, or a retry that was lost.
    Batch after batch until none is left or MAIL_SWEEP_BUDGET seconds have passed."""
    deadline = time.monotonic() + settings.MAIL_SWEEP_BUDGET
    do_fail_abandoned_emails()
    sent = 0
    while time.monotonic() < deadline:
        token = new_claim_token()
        emails = claim_emails(
            token=token,
            limit=settings.MAIL_BATCH_SIZE,
            older_than=timedelta(seconds=settings.MAIL_SWEEP_AFTER),
        )
        if not emails:
            break
        result = do_deliver_email_batch(emails=emails, token=token)
        sent += result["sent"]
        if result["retry"]:
            deliver_email_batch.apply_async(
                args=(result["retry"],), kwargs={"reserved_for": token}, countdown=result["retry_in"]
            )
    return sent


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=MAIL_MAX_RETRIES)
def deliver_email(self, email_id: int) -> bool:
    """One mail, one task, one SMTP session: the pipeline before batches. Kept for the tasks
    enqueued before the upgrade, and as the baseline of benchmarks/mail.py."""
    try:
        return do_deliver_email(email_id=email_id)
    except TRANSIENT_MAIL_ERRORS as exc:
        if self.request.retries >= MAIL_MAX_RETRIES:
            do_mark_email_failed(email_id=email_id)
            raise
        raise self.retry(exc=exc, countdown=mail_retry_countdown(self.request.retries)) from exc
