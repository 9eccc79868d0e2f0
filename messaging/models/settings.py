from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.tenancy import TenantScopedQuerySet

from ..uploads.api import DEFAULT_BLOCKED_EXTENSIONS


class MessagingSettings(models.Model):
    """How one tenant's conversations behave: one row per tenant."""

    tenant = models.OneToOneField(
        "portal.Tenant",
        verbose_name=_("tenant"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="messaging_settings",
    )
    message_expiry_days = models.PositiveIntegerField(
        _("conversation messages expire after (days)"), default=90, validators=[MinValueValidator(1)]
    )

    conversation_quota_gb = models.PositiveIntegerField(
        _("files per conversation, at most (GB)"), default=20, validators=[MinValueValidator(1)]
    )
    blocked_file_types = models.CharField(
        _("file types refused"),
        max_length=500,
        default=" ".join(DEFAULT_BLOCKED_EXTENSIONS),
        blank=True,
        help_text=_("Extensions without the dot, separated by spaces: exe bat js…"),
    )

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("secure conversations settings")
        verbose_name_plural = _("secure conversations settings")

    def __str__(self):
        return str(self.tenant)
