"""Tenants, the audit log and the outbound mail queue: what every module stands on."""

import re
import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .tenancy import RESERVED_SLUGS, TenantScopedQuerySet


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
    """An organisation that offers some of the portal's modules to its people."""

    MODULES = ("accounts", "messaging", "vault", "voting")

    class SignIn(models.TextChoices):
        USER_ID = "user_id", _("User ID")
        CODE = "code", _("Access code")
        EMAIL = "email", _("E-mail address")
        IDENTIFIER_OR_EMAIL = "identifier_or_email", _("12-digit identifier or personal e-mail")

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

    module_accounts = models.BooleanField(_("self-service password and identity recovery"), default=False)
    module_messaging = models.BooleanField(_("secure conversations"), default=False)
    module_vault = models.BooleanField(_("payslip vault"), default=False)
    module_voting = models.BooleanField(_("member votes"), default=False)

    sign_in_with = models.CharField(
        _("people sign in with"), max_length=30, choices=SignIn.choices, default=SignIn.EMAIL
    )
    accent_colour = models.CharField(
        _("accent colour"),
        max_length=7,
        default="#1d4f91",
        validators=[validate_accent_colour],
        help_text=_("Used for the header band behind white text, so it must be dark enough (WCAG AA)."),
    )
    helpdesk_fr = models.TextField(_("help-desk contact (French)"), blank=True)
    helpdesk_en = models.TextField(_("help-desk contact (English)"), blank=True)

    # Policies
    password_min_length = models.PositiveSmallIntegerField(
        _("minimum password length"), default=15, validators=[MinValueValidator(15), MaxValueValidator(64)]
    )
    lockout_threshold = models.PositiveSmallIntegerField(
        _("failed attempts before a lock"), default=5, validators=[MinValueValidator(1)]
    )
    lockout_minutes = models.PositiveIntegerField(
        _("lock duration (minutes)"), default=30, validators=[MinValueValidator(1)]
    )
    security_question_count = models.PositiveSmallIntegerField(
        _("security questions required"), default=3, validators=[MinValueValidator(1), MaxValueValidator(9)]
    )
    helpdesk_question_count = models.PositiveSmallIntegerField(
        _("help-desk questions required"),
        default=1,
        validators=[MaxValueValidator(5)],
        help_text=_("Questions an agent asks on the phone to check who is calling. 0: none asked."),
    )
    recovery_proof_alone = models.BooleanField(
        _("security questions, PIN or identity data alone are enough to choose a new password"),
        default=False,
        help_text=_(
            "Off (recommended): after such a proof, a one-time code is also mailed to the address on file, "
            "and the person must type it. Current guidance (NIST SP 800-63B-4, OWASP ASVS 5) no longer "
            "trusts answers or identity data alone, because others can learn them. On: the proof alone "
            "suffices, as older portals did; whoever learns the answers can take over the account."
        ),
    )

    class DevicePolicy(models.TextChoices):
        ALTERNATIVE = "alternative", _("One way to sign in, beside the password and the security questions")
        STAFF = "staff", _("Required after the password for help-desk staff")
        EVERYONE = "everyone", _("Required after the password for everyone")

    device_policy = models.CharField(
        _("mobile device (authenticator app)"),
        max_length=12,
        choices=DevicePolicy.choices,
        default=DevicePolicy.ALTERNATIVE,
    )
    message_expiry_days = models.PositiveIntegerField(
        _("conversation messages expire after (days)"), default=90, validators=[MinValueValidator(1)]
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="America/Toronto", validators=[validate_time_zone]
    )
    password_history_count = models.PositiveSmallIntegerField(
        _("previous passwords that may not be reused"), default=5, validators=[MaxValueValidator(24)]
    )
    session_idle_minutes = models.PositiveIntegerField(
        _("sign out after (minutes without activity)"),
        default=60,
        validators=[MinValueValidator(5), MaxValueValidator(24 * 60)],
    )
    session_max_hours = models.PositiveIntegerField(
        _("sign out after (hours, whatever the activity)"),
        default=24,
        # The session cookie itself lasts SESSION_COOKIE_AGE (24 hours): no tenant can go beyond it.
        validators=[MinValueValidator(1), MaxValueValidator(24)],
    )

    # Sign-in page and recovery paths
    identifier_hint_fr = models.TextField(_("where to find the identifier (French)"), blank=True)
    identifier_hint_en = models.TextField(_("where to find the identifier (English)"), blank=True)
    notice_fr = models.TextField(_("authorised-use notice (French)"), blank=True)
    notice_en = models.TextField(_("authorised-use notice (English)"), blank=True)
    allow_password_reset = models.BooleanField(_("forgotten password by e-mail"), default=True)
    allow_lost_identifier = models.BooleanField(
        _("lost identifier form"),
        default=False,
        help_text=_("People who lost their identifier get it by e-mail after proving who they are."),
    )
    allow_member_activation = models.BooleanField(
        _("member account activation"),
        default=False,
        help_text=_("Members without a password start with their member number and the e-mail on file."),
    )
    allow_email_registration = models.BooleanField(
        _("e-mail registration requests"),
        default=False,
        help_text=_("Members without an e-mail on file ask to add one; the help desk approves."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("tenant")
        verbose_name_plural = _("tenants")
        ordering = ["slug"]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return self.name_en if _is_english() else self.name_fr

    @property
    def helpdesk(self):
        return (self.helpdesk_en if _is_english() else self.helpdesk_fr) or self.helpdesk_fr

    @property
    def identifier_hint(self):
        return (
            self.identifier_hint_en if _is_english() else self.identifier_hint_fr
        ) or self.identifier_hint_fr

    @property
    def notice(self):
        return (self.notice_en if _is_english() else self.notice_fr) or self.notice_fr

    def device_required_for(self, user) -> bool:
        """Must this person give a device code after the password?"""
        policy = self.device_policy
        return policy == self.DevicePolicy.EVERYONE or (policy == self.DevicePolicy.STAFF and user.is_staff)

    def has_module(self, module: str) -> bool:
        return module in self.MODULES and getattr(self, f"module_{module}")

    @property
    def modules(self) -> list[str]:
        return [m for m in self.MODULES if self.has_module(m)]

    def normalise_identifier(self, raw: str) -> str:
        """The stored form of what a person types to sign in: e-mails lower-cased, codes upper-cased,
        the 12-digit identifier without the spaces people type in it."""
        value = (raw or "").strip()
        if "@" in value:
            return value.lower()
        if self.sign_in_with == self.SignIn.IDENTIFIER_OR_EMAIL:
            return re.sub(r"[\s-]", "", value)
        return value.upper()


def _is_english() -> bool:
    return (get_language() or "fr").startswith("en")


class AuditEntryQuerySet(TenantScopedQuerySet):
    def update(self, **kwargs):
        raise PermissionError("Audit entries are append-only.")

    def delete(self):
        raise PermissionError("Audit entries are append-only.")


class AuditEntry(models.Model):
    """One security-relevant event. Append-only: the application never updates or deletes a row."""

    tenant = models.ForeignKey(
        Tenant, verbose_name=_("tenant"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
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
    action = models.CharField(_("action"), max_length=60, db_index=True)
    target_type = models.CharField(_("target type"), max_length=60, blank=True)
    target_id = models.CharField(_("target id"), max_length=64, blank=True, db_index=True)
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
        indexes = [models.Index(fields=["tenant", "target_type", "target_id", "-created_at"])]

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

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ["-created_at", "-id"]

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
