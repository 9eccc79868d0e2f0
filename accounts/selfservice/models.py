"""Self-service proofs of identity (docs/journeys.md#selfservice, #recover): security questions,
employee number + PIN, identity data, and links between one person's accounts. The mobile device is
the core's (accounts.devices): self-service offers it as one more proof.

Nothing a person could use to prove who they are is stored in clear: answers are Argon2id hashes,
PINs Argon2id hashes of a keyed digest, the SIN digits a keyed hash (accounts.crypto)."""

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import crypto
from accounts.devices import TenantScopedManager
from portal.tenancy import TenantScopedQuerySet
from portal.translation import TranslatedField

from .normalise import normalise_answer


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
        """The question with its length rule (docs/journeys.md#questions-set)."""
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
    """The employee number and PIN (docs/journeys.md#recover-pin), and the identity data of "identify
    yourself otherwise" (docs/journeys.md#recover-identity)."""

    tenant = models.ForeignKey("portal.Tenant", on_delete=models.CASCADE, related_name="+")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="recovery_identity",
    )
    employee_number = models.CharField(_("employee number"), max_length=20, blank=True, db_index=True)
    pin = models.CharField(_("PIN (hashed)"), max_length=300, blank=True, editable=False)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    sin_digest = models.CharField(
        _("last six SIN digits (keyed hash)"), max_length=64, blank=True, editable=False, db_index=True
    )

    objects = TenantScopedManager()

    class Meta:
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
        self.pin = crypto.hash_proof("pin", _digits(raw))

    def check_pin(self, raw: str) -> bool:
        """Ten thousand PINs are nothing to a copied table: the hash is keyed (accounts.crypto). A row
        of an older form that matches is rewritten at once, like a password hash at sign-in."""
        if not self.pin:
            make_password(raw)
            return False
        ok, rewritten = crypto.check_proof("pin", _digits(raw), self.pin)
        if rewritten:
            self.pin = rewritten
            RecoveryIdentity.objects.filter(tenant_id=self.tenant_id, pk=self.pk).update(pin=rewritten)
        return ok

    def set_sin_digits(self, raw: str) -> None:
        self.sin_digest = sin_digest(self.tenant_id, raw)


def _digits(raw: str) -> str:
    return "".join(c for c in (raw or "") if c.isdigit())


def sin_digest(tenant_id, raw: str) -> str:
    return crypto.keyed_digest("sin", f"{tenant_id}:{_digits(raw)[-6:]}")


def sin_digests(tenant_id, raw: str) -> list[str]:
    return crypto.keyed_digests("sin", f"{tenant_id}:{_digits(raw)[-6:]}")


class AccountLink(models.Model):
    """Linked accounts (docs/journeys.md#links): the same person's accounts on two tenants. Stored once per
    direction, so each account reads its own links; the person proved both by signing in to each.
    No help desk sees these rows: a link never opens one tenant's data to another's staff."""

    tenant = models.ForeignKey("portal.Tenant", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="links")
    other = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = TenantScopedManager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["user", "other"], name="one_link_per_pair")]

    def __str__(self):
        return f"{self.user_id} → {self.other_id}"


class VaultEntry(models.Model):
    """One entry of a person's own vault (docs/journeys.md#menu): a label, an identifier, a secret and a
    note for a system the portal does not manage. Every part is sealed with the portal's data key
    (accounts.selfservice.vault): the database alone shows how many entries a person keeps, nothing
    of what they say. No help desk sees these rows."""

    tenant = models.ForeignKey("portal.Tenant", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="vault_entries")
    # The label, sealed on its own so that the list opens labels only, never a secret.
    sealed_label = models.TextField(editable=False)
    # The identifier, the secret and the note, sealed together.
    sealed_content = models.TextField(editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    changed_at = models.DateTimeField(default=timezone.now)

    objects = TenantScopedManager()

    class Meta:
        verbose_name = _("personal vault entry")
        verbose_name_plural = _("personal vault entries")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.user_id}: {self.pk}"
