import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.tenancy import TenantScopedQuerySet


class Upload(models.Model):
    """One file sent by one person, from the first byte to its deletion at expiry.

    The id is a random UUID: it travels in hidden form fields and URLs, and guessing one gains nothing
    (every read still goes through the tenant and the caller's access check)."""

    class Status(models.TextChoices):
        RECEIVING = "receiving", _("being received")
        SCANNING = "scanning", _("being checked for viruses")
        CLEAN = "clean", _("ready to download")
        HELD = "held", _("held by the virus check")
        DELETED = "deleted", _("deleted from storage")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey("portal.Tenant", verbose_name=_("tenant"), on_delete=models.CASCADE)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("file sent by"), on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(_("original file name"), max_length=255)
    content_type = models.CharField(
        _("file type (as sent)"), max_length=255, default="application/octet-stream"
    )
    size = models.BigIntegerField(_("bytes received so far"), default=0)
    declared_size = models.BigIntegerField(_("declared file size"), default=0)
    sha256 = models.CharField(_("SHA-256 digest"), max_length=64, blank=True)
    # Where the bytes are in the "uploads" storage; never derived from the file's own name.
    storage_name = models.CharField(max_length=300, editable=False)
    status = models.CharField(
        _("file status"), max_length=16, choices=Status.choices, default=Status.RECEIVING
    )
    created_at = models.DateTimeField(_("upload started"), auto_now_add=True)
    completed_at = models.DateTimeField(_("upload completed"), null=True, blank=True)
    # Set once a message takes the file (api.claim_uploads), so it cannot be attached twice and an
    # unclaimed one can be swept.
    attached_at = models.DateTimeField(_("attached to a message"), null=True, blank=True)
    # S3 multipart state of a resumable upload: its UploadId and the parts received so far
    # ([{"number": n, "etag": "...", "size": bytes}], in offset order). Empty on local storage.
    multipart_id = models.CharField(max_length=1024, blank=True, editable=False)
    parts = models.JSONField(default=list, blank=True, editable=False)
    part_counter = models.PositiveIntegerField(default=0, editable=False)

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("conversation file")
        verbose_name_plural = _("conversation files")
        indexes = [models.Index(fields=["tenant", "owner", "status"], name="upload_tenant_owner_status")]

    def __str__(self):
        return self.name

    @property
    def is_complete(self) -> bool:
        return self.status in {self.Status.SCANNING, self.Status.CLEAN, self.Status.HELD}
