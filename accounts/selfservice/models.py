"""Self-service proofs of identity (seeds 000 and 002): security questions, a mobile device (TOTP)
with backup codes, employee number + PIN, identity data, and links between one person's accounts.

Nothing a person could use to prove who they are is stored in clear: answers and PINs are Argon2id
hashes, the SIN digits a keyed hash (accounts.selfservice.crypto), TOTP keys encrypted with a key outside
the database, backup codes Argon2id hashes."""

import secrets
import time

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin
from django_otp.oath import TOTP

from portal.tenancy import TenantScopedQuerySet
from portal.translation import TranslatedField

from . import crypto
from .normalise import normalise_answer


class TenantScopedManager(models.Manager.from_queryset(TenantScopedQuerySet)):
    pass


class SelfServiceSettings(models.Model):
    """How one tenant's people prove who they are in the self-service: one row per tenant."""

    tenant = models.OneToOneField(
        "portal.Tenant",
        verbose_name=_("tenant"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="selfservice_settings",
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

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        app_label = "accounts"
        verbose_name = _("password self-service settings")
        verbose_name_plural = _("password self-service settings")

    def __str__(self):
        return str(self.tenant)


class SecurityQuestion(models.Model):
    """One question of a tenant's catalogue, in French and English, with the length of its answers."""

    tenant = models.ForeignKey(
        "portal.Tenant", verbose_name=_("tenant"), on_delete=models.CASCADE, related_name="+"
    )
    text_fr = models.CharField(_("question (French)"), max_length=200)
    text_en = models.CharField(_("question (English)"), max_length=200)
    min_length = models.PositiveSmallIntegerField(
        _("shortest answer"), default=4, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    max_length = models.PositiveSmallIntegerField(
        _("longest answer"), default=40, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    is_active = models.BooleanField(
        _("offered"),
        default=True,
        help_text=_("Withdrawn questions stay answered but are no longer offered."),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = TenantScopedManager()

    class Meta:
        app_label = "accounts"  # until the self-service app owns its tables
        verbose_name = _("security question")
        verbose_name_plural = _("security questions")
        ordering = ["position", "id"]

    def __str__(self):
        return self.text

    def clean(self):
        if self.min_length and self.max_length and self.min_length > self.max_length:
            raise ValidationError(_("The shortest answer cannot be longer than the longest."))

    text = TranslatedField("text")

    @property
    def label(self):
        """The question with its length rule, as in seed 000 step 7."""
        return _("%(question)s (%(min)d to %(max)d characters)") % {
            "question": self.text,
            "min": self.min_length,
            "max": self.max_length,
        }


class SecurityAnswer(models.Model):
    """A person's answer to one question, kept only as an Argon2id hash of its normalised form."""

    class Purpose(models.TextChoices):
        SELF = "self", _("to recover the account")
        HELPDESK = "helpdesk", _("asked by the help desk")

    tenant = models.ForeignKey("portal.Tenant", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="security_answers"
    )
    question = models.ForeignKey(SecurityQuestion, on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(max_length=10, choices=Purpose.choices, default=Purpose.SELF)
    answer = models.CharField(max_length=200, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    objects = TenantScopedManager()

    class Meta:
        app_label = "accounts"  # until the self-service app owns its tables
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "purpose", "question"], name="one_answer_per_question")
        ]

    def __str__(self):
        return str(self.question)

    def set_answer(self, raw: str) -> None:
        self.answer = make_password(normalise_answer(raw))

    def check_answer(self, raw: str) -> bool:
        return check_password(normalise_answer(raw), self.answer)


class RecoveryIdentity(models.Model):
    """Seed 002: the employee number and PIN, and the identity data of "identify yourself otherwise"."""

    tenant = models.ForeignKey("portal.Tenant", on_delete=models.CASCADE, related_name="+")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="recovery_identity",
    )
    employee_number = models.CharField(_("employee number"), max_length=20, blank=True, db_index=True)
    pin = models.CharField(_("PIN (hashed)"), max_length=200, blank=True, editable=False)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    sin_digest = models.CharField(
        _("last six SIN digits (keyed hash)"), max_length=64, blank=True, editable=False, db_index=True
    )

    objects = TenantScopedManager()

    class Meta:
        app_label = "accounts"  # until the self-service app owns its tables
        verbose_name = _("recovery data")
        verbose_name_plural = _("recovery data")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "employee_number"],
                condition=~models.Q(employee_number=""),
                name="employee_number_unique_per_tenant",
            )
        ]

    def __str__(self):
        return str(self.user)

    def set_pin(self, raw: str) -> None:
        self.pin = make_password(_digits(raw))

    def check_pin(self, raw: str) -> bool:
        if not self.pin:
            make_password(raw)
            return False
        return check_password(_digits(raw), self.pin)

    def set_sin_digits(self, raw: str) -> None:
        self.sin_digest = sin_digest(self.tenant_id, raw)

    def sin_matches(self, raw: str) -> bool:
        return bool(self.sin_digest) and self.sin_digest in sin_digests(self.tenant_id, raw)


def _digits(raw: str) -> str:
    return "".join(c for c in (raw or "") if c.isdigit())


def sin_digest(tenant_id, raw: str) -> str:
    return crypto.keyed_digest("sin", f"{tenant_id}:{_digits(raw)[-6:]}")


def sin_digests(tenant_id, raw: str) -> list[str]:
    return crypto.keyed_digests("sin", f"{tenant_id}:{_digits(raw)[-6:]}")


class AuthenticatorDevice(ThrottlingMixin, Device):
    """An authenticator app (TOTP, RFC 6238). django-otp's own TOTPDevice keeps its key in clear;
    this one keeps it encrypted with PORTAIL_DATA_KEYS and otherwise verifies the same way."""

    tenant = models.ForeignKey("portal.Tenant", on_delete=models.CASCADE, related_name="+")
    encrypted_key = models.TextField(editable=False)
    step = 30
    digits = 6
    tolerance = 1
    last_t = models.BigIntegerField(default=-1, editable=False)
    created_at = models.DateTimeField(_("added"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    objects = TenantScopedManager()

    class Meta:
        app_label = "accounts"  # until the self-service app owns its tables
        verbose_name = _("mobile device")
        verbose_name_plural = _("mobile devices")
        ordering = ["created_at", "id"]

    @classmethod
    def start(cls, user, name):
        """An unconfirmed device with a fresh 160-bit key; confirmed by the first right code."""
        device = cls(user=user, tenant=user.tenant, name=name, confirmed=False)
        device.key = secrets.token_bytes(20)
        return device

    @property
    def key(self) -> bytes:
        return bytes.fromhex(crypto.decrypt(self.encrypted_key))

    @key.setter
    def key(self, value: bytes) -> None:
        self.encrypted_key = crypto.encrypt(value.hex())

    @property
    def base32_key(self) -> str:
        import base64

        return base64.b32encode(self.key).decode().rstrip("=")

    def provisioning_uri(self, issuer: str) -> str:
        from urllib.parse import quote, urlencode

        label = quote(f"{issuer}:{self.user.identifier}")
        query = urlencode(
            {"secret": self.base32_key, "issuer": issuer, "digits": self.digits, "period": self.step}
        )
        return f"otpauth://totp/{label}?{query}"

    def get_throttle_factor(self):
        return 1

    def verify_token(self, token):
        allowed, _details = self.verify_is_allowed()
        if not allowed:
            return False
        token = "".join(str(token or "").split())
        verified = False
        if token.isdigit() and len(token) == self.digits:
            totp = TOTP(self.key, self.step, 0, self.digits, 0)
            totp.time = time.time()
            # A code whose time step was already used is refused: each code works once.
            verified = totp.verify(int(token), self.tolerance, self.last_t + 1)
            if verified:
                self.last_t = totp.t()
                self.last_used_at = timezone.now()
                self.throttle_reset(commit=False)
                self.save()
        if not verified:
            self.throttle_increment(commit=True)
        return verified


BACKUP_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read from paper
BACKUP_LENGTH = 16  # 16 symbols of 31: 79 bits


class BackupCodeDevice(Device):
    """One-time backup codes to print. django-otp's static tokens are 8 characters kept in clear;
    these carry 79 bits each and are kept as Argon2id hashes."""

    tenant = models.ForeignKey("portal.Tenant", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = TenantScopedManager()

    class Meta:
        app_label = "accounts"  # until the self-service app owns its tables
        verbose_name = _("backup codes")
        verbose_name_plural = _("backup codes")

    def replace_codes(self, count=10) -> list[str]:
        self.codes.all().delete()
        codes = ["".join(secrets.choice(BACKUP_ALPHABET) for _ in range(BACKUP_LENGTH)) for _ in range(count)]
        BackupCode.objects.bulk_create([BackupCode(device=self, digest=make_password(c)) for c in codes])
        return [" ".join(c[i : i + 4] for i in range(0, BACKUP_LENGTH, 4)) for c in codes]

    @staticmethod
    def clean_code(token) -> str:
        return "".join(c for c in str(token or "").upper() if c.isalnum())

    def verify_token(self, token):
        code = self.clean_code(token)
        if len(code) != BACKUP_LENGTH:
            return False
        for row in self.codes.all():
            if check_password(code, row.digest):
                row.delete()  # one use only
                return True
        return False


class BackupCode(models.Model):
    device = models.ForeignKey(BackupCodeDevice, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField(max_length=200)

    class Meta:
        app_label = "accounts"  # until the self-service app owns its tables

    def __str__(self):
        return f"backup code {self.pk}"  # never the code: only its hash is kept


class AccountLink(models.Model):
    """Seed 000, "Joindre d'autres comptes": the same person's accounts on two tenants. Stored once per
    direction, so each account reads its own links; the person proved both by signing in to each.
    No help desk sees these rows: a link never opens one tenant's data to another's staff."""

    tenant = models.ForeignKey("portal.Tenant", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="links")
    other = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = TenantScopedManager()

    class Meta:
        app_label = "accounts"  # until the self-service app owns its tables
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["user", "other"], name="one_link_per_pair")]

    def __str__(self):
        return f"{self.user_id} → {self.other_id}"
