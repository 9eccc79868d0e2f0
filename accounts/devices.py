"""The mobile device a person proves who they are with after the password: an authenticator app (TOTP)
and its printed backup codes. They belong to the core of accounts: a tenant can require the device at
sign-in whatever modules it has on, and self-service offers it as one of its proofs.

Nothing here is stored in clear: TOTP keys are encrypted with a key outside the database
(accounts.crypto), backup codes are Argon2id hashes."""

import base64
import secrets
import time
from urllib.parse import quote, urlencode

from django.contrib.auth.hashers import check_password, make_password
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin
from django_otp.oath import TOTP

from portal.tenancy import TenantScopedQuerySet

from . import crypto


class TenantScopedManager(models.Manager.from_queryset(TenantScopedQuerySet)):
    pass


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
        return base64.b32encode(self.key).decode().rstrip("=")

    def provisioning_uri(self, issuer: str) -> str:
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
BACKUP_SET = 10  # the codes of a new set (BackupCodeDevice.replace_codes)


class BackupCodeDevice(Device):
    """One-time backup codes to print. django-otp's static tokens are 8 characters kept in clear;
    these carry 79 bits each and are kept as Argon2id hashes."""

    tenant = models.ForeignKey("portal.Tenant", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = TenantScopedManager()

    class Meta:
        verbose_name = _("backup codes")
        verbose_name_plural = _("backup codes")

    def replace_codes(self, count=BACKUP_SET) -> list[str]:
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

    def __str__(self):
        return f"backup code {self.pk}"  # never the code: only its hash is kept


# Reads and the code check ------------------------------------------------------------------------------


def devices_of(user):
    return list(AuthenticatorDevice.objects.for_tenant(user.tenant).filter(user=user, confirmed=True))


def has_device(user) -> bool:
    return (
        user is not None
        and AuthenticatorDevice.objects.for_tenant(user.tenant).filter(user=user, confirmed=True).exists()
    )


def backup_codes_left(user):
    """How many backup codes the person has left, or None without a sheet."""
    backup = BackupCodeDevice.objects.for_tenant(user.tenant).filter(user=user).first()
    return backup.codes.count() if backup else None


def device_code_work(user, code: str) -> tuple[int, int]:
    """(hashes every answer to this code costs, hashes verify_device_code spends for `user`): an app's
    code costs no hash; a backup code costs one per code left, up to a full set, so the guard can make
    every account (and every unknown identifier) spend a full set."""
    if len(BackupCodeDevice.clean_code(code)) != BACKUP_LENGTH:
        return 1, 0
    left = (
        BackupCode.objects.filter(
            device__tenant=user.tenant, device__user=user, device__confirmed=True
        ).count()
        if user is not None
        else 0
    )
    return max(BACKUP_SET, left), left


def verify_device_code(user, code: str):
    """The device (authenticator app, or the backup codes) that accepts the code, or None. It spends
    no hash of its own for an unknown account: the guard (accounts.guard.check_secret) spends what
    device_code_work says."""
    if user is None:
        return None
    for device in devices_of(user):
        if device.verify_token(code):
            return device
    if len(BackupCodeDevice.clean_code(code)) != 6:
        for device in BackupCodeDevice.objects.for_tenant(user.tenant).filter(user=user, confirmed=True):
            if device.verify_token(code):
                return device
    return None


# The pause after a wrong code ----------------------------------------------------------------------------
# django-otp refuses any code, even the right one, for 2^(n-1) seconds after the n-th wrong one
# (ThrottlingMixin, factor 1 above). The pages say so, with the time left, rather than "this code is not
# valid". The same pause is counted here for every identifier typed on a device step, with or without
# a device (or an account): the message then tells nothing about the account. A pause is no attempt: it
# is not counted towards the lock.


def _pause_key(tenant, identifier: str) -> str:
    from .identifiers import normalise_identifier

    return f"code-pause:{tenant.pk}:{normalise_identifier(tenant, identifier)}"


def code_pause_seconds(tenant, identifier: str, code: str) -> int:
    """Seconds to wait before a code from the app can be checked; 0 for a backup code."""
    from django.core.cache import cache

    if len(BackupCodeDevice.clean_code(code)) == BACKUP_LENGTH:
        return 0
    failures, last = cache.get(_pause_key(tenant, identifier), (0, 0.0))
    if not failures:
        return 0
    left = last + 2 ** (failures - 1) - time.time()
    return max(0, int(left) + (left % 1 > 0))


def note_code_outcome(tenant, identifier: str, ok: bool) -> None:
    from django.core.cache import cache

    key = _pause_key(tenant, identifier)
    if ok:
        cache.delete(key)
        return
    failures, _last = cache.get(key, (0, 0.0))
    cache.set(key, (failures + 1, time.time()), timeout=3600)
