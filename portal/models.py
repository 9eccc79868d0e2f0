"""Tenants, the audit log and the outbound mail queue: what every module stands on."""

import re
import zoneinfo

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .modules import always_on_keys, optional_modules, settings_models
from .tenancy import RESERVED_SLUGS, TenantScopedQuerySet
from .translation import TranslatedField


def validate_slug_not_reserved(value):
    if value in RESERVED_SLUGS:
        raise ValidationError(_("This address is reserved by the portal; choose another."))


def contrast_with_white(hex_colour: str) -> float:
    """WCAG 2.1 contrast ratio of white text on this colour."""

    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    luminance = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    return 1.05 / (luminance + 0.05)


def validate_accent_colour(value):
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", value or ""):
        raise ValidationError(_("Use a colour such as #1d4f91."))
    ratio = contrast_with_white(value)
    if ratio < 4.5:
        raise ValidationError(
            _("White text on this colour is hard to read (contrast %(ratio).1f:1); choose a darker one."),
            params={"ratio": ratio},
        )


def validate_time_zone(value):
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Unknown time zone."))


class Tenant(models.Model):
    """An organisation that offers some of the portal's modules to its people.

    What a module needs to know per tenant lives in that module's settings model (one row per tenant,
    created with the tenant); the tenant itself holds only what every page needs."""

    slug = models.SlugField(
        _("address"),
        max_length=40,
        unique=True,
        validators=[validate_slug_not_reserved],
        help_text=_("The tenant's pages live under /<address>/."),
    )
    name_fr = models.CharField(_("name (French)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    is_active = models.BooleanField(_("active"), default=True)
    # Keys of the optional modules this tenant has switched on (portal.modules); no migration needed
    # to switch one.
    modules = models.JSONField(_("modules"), default=list, blank=True)
    accent_colour = models.CharField(
        _("accent colour"),
        max_length=7,
        default="#1d4f91",
        validators=[validate_accent_colour],
        help_text=_("Used for the header band behind white text, so it must be dark enough (WCAG AA)."),
    )
    helpdesk_fr = models.TextField(_("help-desk contact (French)"), blank=True)
    helpdesk_en = models.TextField(_("help-desk contact (English)"), blank=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="America/Toronto", validators=[validate_time_zone]
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    name = TranslatedField("name")
    helpdesk = TranslatedField("helpdesk")

    class Meta:
        verbose_name = _("tenant")
        verbose_name_plural = _("tenants")
        ordering = ["slug"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        adding = self._state.adding
        super().save(*args, **kwargs)
        if adding:
            # Every tenant has a row of every module's settings, so pages read them without a check.
            for model in settings_models():
                model._default_manager.get_or_create(tenant=self)

    def has_module(self, key: str) -> bool:
        """Is this module there for this tenant? A part that is not optional always is."""
        return key in (self.modules or ()) or key in always_on_keys()

    def clean(self):
        super().clean()
        known = {module.key for module in optional_modules()}
        # Anything but a list of keys (a lone string, say) is refused as it stands.
        chosen = self.modules if isinstance(self.modules, list) else [repr(self.modules)]
        unknown = sorted({str(key) for key in chosen} - known)
        if unknown:
            raise ValidationError({"modules": _("Unknown modules: %(keys)s.") % {"keys": ", ".join(unknown)}})


class AuditEntryQuerySet(TenantScopedQuerySet):
    def update(self, **kwargs):
        raise PermissionError("Audit entries are append-only.")

    def delete(self):
        raise PermissionError("Audit entries are append-only.")


class AuditEntry(models.Model):
    """One security-relevant event. Append-only: the application never updates or deletes a row."""

    # Every index slows each insert: the tenant, the action and the target are indexed only as the
    # leading columns of the composites below, which serve the help desk's lists.
    tenant = models.ForeignKey(
        Tenant,
        verbose_name=_("tenant"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    actor = models.ForeignKey(
        "accounts.User",
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("by (at the time)"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=60)
    target_type = models.CharField(_("target type"), max_length=60, blank=True)
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    target_label = models.CharField(_("target"), max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["tenant", "target_type", "target_id", "-created_at"]),
            models.Index(fields=["tenant", "action", "-created_at"], name="audit_tenant_action_created"),
            models.Index(fields=["tenant", "ip_address", "created_at"], name="audit_tenant_ip_created"),
            # The help desk's list, newest first, in the order of `ordering` (a page far down reads
            # its keys from this index alone; see portal.admin.CappedPaginator).
            models.Index(fields=["tenant", "-created_at", "-id"], name="audit_tenant_created_id"),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action_label}"

    def save(self, *args, **kwargs):
        # Append-only is a property of the log, not business logic: refuse any rewrite at the source.
        if not self._state.adding:
            raise PermissionError("Audit entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit entries are append-only.")

    @property
    def action_label(self):
        from .audit import action_label

        return action_label(self.action)


class OutboundEmail(models.Model):
    """The outbox: one row per mail the portal sends, so the help desk can see whether it left.
    Bodies are purged once delivered, since they may carry single-use links."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    tenant = models.ForeignKey(
        Tenant, verbose_name=_("tenant"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to = models.EmailField(_("to"))
    language = models.CharField(_("language"), max_length=10)
    template = models.CharField(_("template"), max_length=100)
    subject = models.CharField(_("subject"), max_length=250)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("queued at"), default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # The claim of the delivery task that holds the row (portal/actions.py, claim_emails): no other
    # task sends it until the claim expires, so a row held by a killed worker is picked up again.
    claimed_by = models.CharField(_("claimed by"), max_length=100, blank=True)
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The help desk looks up the mails of one address.
            models.Index(fields=["tenant", "to"], name="outbox_tenant_to"),
            # The help desk's list, newest first, in the order of `ordering`.
            models.Index(fields=["tenant", "-created_at", "-id"], name="outbox_tenant_created_id"),
        ]

    def __str__(self):
        return f"{self.to}: {self.subject}"


class MailboxMessage(models.Model):
    """The development mailbox: where the embedded default delivers mail (shown at /_dev/mailbox/
    when DEBUG is on). Production delivers over SMTP and never writes here."""

    to = models.TextField()
    from_email = models.CharField(max_length=250)
    subject = models.CharField(max_length=250)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    delivered_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-delivered_at", "-id"]

    def __str__(self):
        return self.subject
