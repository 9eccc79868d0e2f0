from celery import shared_task

from .actions import TRANSIENT_MAIL_ERRORS, do_deliver_email, do_mark_email_failed

MAIL_MAX_RETRIES = 8


def mail_retry_countdown(retries: int) -> int:
    """Exponential backoff: 30 s, 1 min, 2 min … capped at one hour (about 4 h in all)."""
    return min(30 * 2**retries, 3600)


@shared_task(bind=True, acks_late=True, max_retries=MAIL_MAX_RETRIES)
def deliver_email(self, email_id: int) -> bool:
    try:
        return do_deliver_email(email_id=email_id)
    except TRANSIENT_MAIL_ERRORS as exc:
        if self.request.retries >= MAIL_MAX_RETRIES:
            do_mark_email_failed(email_id=email_id)
            raise
        raise self.retry(exc=exc, countdown=mail_retry_countdown(self.request.retries)) from exc
