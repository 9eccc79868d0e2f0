"""Periodic jobs of secure conversations (Celery beat: CELERY_BEAT_SCHEDULE in the settings)."""

from celery import shared_task

from portal.modules import tenants_with

from . import actions
from .uploads import api


@shared_task
def expire_messages():
    """Each tenant with the module: expired messages lose their words and files
    (docs/journeys.md#conv-expiry); then files no message took within a day leave the storage."""
    expired = {tenant.slug: actions.do_expire_messages(tenant=tenant) for tenant in tenants_with("messaging")}
    return {"expired": expired, "abandoned_files": api.sweep_abandoned()}
