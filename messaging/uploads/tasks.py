from celery import shared_task

from . import api, scanner
from .models import Upload


@shared_task(bind=True, max_retries=8, acks_late=True)
def scan_upload(self, upload_id: str):
    """Scan a completed chunked upload; retried with backoff while the scanner is down."""
    # tenant-guard: an id our own chunk view queued, never user input
    upload = Upload.objects.filter(pk=upload_id, status=Upload.Status.SCANNING).first()
    if upload is None:
        return
    try:
        api.scan(upload)
    except scanner.ScannerUnavailable as error:
        raise self.retry(exc=error, countdown=min(3600, 30 * 2**self.request.retries)) from error
