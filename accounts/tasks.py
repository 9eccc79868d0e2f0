"""Periodic jobs of accounts (Celery beat: CELERY_BEAT_SCHEDULE in the settings)."""

from celery import shared_task

from .lockout import purge_stale


@shared_task
def purge_stale_sign_in_locks():
    """Failure counters that can no longer lock anything (unknown identifiers included) go."""
    return purge_stale()
