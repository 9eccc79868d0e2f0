from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import PermissionsMixin
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from portal.tenancy import TenantScopedQuerySet
from portal.translation import TranslatedField

from . import crypto
from .identifiers import normalise_identifier
from .search import search_name_of


class UserManager(BaseUserManager.from_queryset(TenantScopedQuerySet)):
    use_in_migrations = True

    def create_user(self, *, tenant, identifier, password=None, **extra):
        """A person of one tenant. Without a password, the account cannot sign in until one is set."""
        user = self.model(tenant=tenant, identifier=normalise_identifier(tenant, identifier), **extra)
        user.email = self.normalize_email(user.email).lower()
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, identifier, email=None, password=None, **extra):
        """A platform administrator: no tenant, signs in at /admin/ only."""
        user = self.model(
            tenant=None,
            identifier=identifier,
            email=self.normalize_email(email or "").lower(),
            is_staff=True,
            is_superuser=True,
            **extra,
        )
        user.set_password(password)
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, identifier):
        # Only manage.py createsuperuser/changepassword use this: they act on platform accounts.
        return self.get(tenant__isnull=True, identifier=identifier)


class User(AbstractBaseUser, PermissionsMixin):
    """A person of one tenant (or, without a tenant, a platform administrator)."""

    tenant = models.ForeignKey(
        "portal.Tenant",
        verbose_name=_("tenant"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    identifier = models.CharField(
        _("identifier"),
        max_length=150,
        help_text=_("What the person types to sign in: user ID, code, e-mail or 12-digit identifier."),
    )
    email = models.EmailField(_("e-mail address"), blank=True)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=10, choices=settings.LANGUAGES, default="fr-ca"
    )
    email_verified = models.BooleanField(
        _("e-mail verified"), default=False, help_text=_("The owner followed a link sent to this address.")
    )
    pending_email = models.EmailField(_("new e-mail awaiting confirmation"), blank=True, editable=False)
    # Typed by a help-desk agent: only the owner, signed in, confirms it (docs/journeys.md#helpdesk), so
    # an agent who reads that mailbox never ends up holding the account.
    pending_email_from_desk = models.BooleanField(default=False, editable=False)
    must_change_password = models.BooleanField(_("must choose a new password at next sign-in"), default=False)
    # Core account state, not a tenant's extra: any tenant's help desk may open an account whose owner
    # chooses an address and a password at first sign-in, and the middleware reads it on every request.
    enrolment_pending = models.BooleanField(
        _("first sign-in not completed"),
        default=False,
        help_text=_("At first sign-in the person gives a personal e-mail and chooses a password."),
    )
    password_changed_at = models.DateTimeField(_("password changed"), null=True, blank=True, editable=False)
    is_staff = models.BooleanField(
        _("help desk"), default=False, help_text=_("Can sign in to this tenant's help desk.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # The name without accents or case, kept by save(): the help desk's search matches "loic" to
    # "Loïc" on SQLite and PostgreSQL alike (PostgreSQL's unaccent needs an extension SQLite lacks).
    search_name = models.CharField(max_length=301, blank=True, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "identifier"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["email"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        # The help desk finds a person by the address they give on the phone.
        indexes = [models.Index(fields=["tenant", "email"], name="user_tenant_email")]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "identifier"], name="user_identifier_unique_per_tenant"
            ),
            models.UniqueConstraint(
                fields=["identifier"],
                condition=Q(tenant__isnull=True),
                name="platform_user_identifier_unique",
            ),
            models.CheckConstraint(
                condition=Q(tenant__isnull=True) | Q(is_superuser=False),
                name="tenant_user_never_superuser",
            ),
        ]

    def __str__(self):
        return self.get_full_name() or self.identifier

    def save(self, *args, **kwargs):
        self.search_name = search_name_of(self.first_name, self.last_name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"first_name", "last_name"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_name"}
        super().save(*args, **kwargs)

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self):
        return self.first_name or self.identifier


class Membership(models.Model):
    """A member of a member tenant (a union): the number on the membership card, with which the member
    activates the account or asks the help desk to register an e-mail address."""

    tenant = models.ForeignKey(
        "portal.Tenant", verbose_name=_("tenant"), on_delete=models.CASCADE, related_name="+"
    )
    user = models.OneToOneField(
        User, verbose_name=_("account"), on_delete=models.CASCADE, related_name="membership"
    )
    member_number = models.CharField(_("member number"), max_length=20, help_text=_("Member tenants only."))

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "member_number"], name="member_number_unique_per_tenant"
            )
        ]

    def __str__(self):
        return self.member_number


class IdentityRecord(models.Model):
    """What the employer's file and the enrolment letter say about a person, which the lost-identifier
    form checks (docs/journeys.md#lostid): only the tenants that offer that form keep it. The private
    number is printed on the letter and kept here only as a hash; nobody at a desk sees or sets it."""

    tenant = models.ForeignKey(
        "portal.Tenant", verbose_name=_("tenant"), on_delete=models.CASCADE, related_name="+"
    )
    user = models.OneToOneField(
        User, verbose_name=_("account"), on_delete=models.CASCADE, related_name="identity_record"
    )
    birth_town = models.CharField(_("town of birth"), max_length=120, blank=True)
    birth_month = models.PositiveSmallIntegerField(
        _("month of birth"), null=True, blank=True, choices=list(MONTHS.items())
    )
    mobile_phone = models.CharField(_("mobile number"), max_length=30, blank=True)
    private_number = models.CharField(
        _("private number (hashed)"),
        max_length=300,
        blank=True,
        editable=False,
        help_text=_("Printed on the enrolment letter; kept only as a hash."),
    )

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("identity on file")
        verbose_name_plural = _("identities on file")

    def __str__(self):
        return str(self.user)

    def set_private_number(self, raw: str) -> None:
        self.private_number = crypto.hash_proof("private-number", normalise_private_number(raw))


def check_private_number(record: "IdentityRecord | None", raw: str) -> bool:
    """Whether `raw` is the private number on file. Without a record or a number, the same hashing
    time is spent, so the answer takes as long either way. A million numbers are nothing to a copied
    table: the hash is keyed (accounts.crypto), and a row of an older form that matches is rewritten."""
    if record is None or not record.private_number:
        make_password(raw)
        return False
    ok, rewritten = crypto.check_proof("private-number", normalise_private_number(raw), record.private_number)
    if rewritten:
        record.private_number = rewritten
        rows = IdentityRecord.objects.filter(tenant_id=record.tenant_id, pk=record.pk)
        rows.update(private_number=rewritten)
    return ok


def normalise_private_number(raw: str) -> str:
    return "".join((raw or "").split())


class SignInLock(models.Model):
    """Failed attempts against one identifier of one tenant, and the lock they lead to.

    The identifier is kept only as a keyed hash (someone may type a password in the identifier
    field), and a row exists for unknown identifiers too, so a lock looks the same either way."""

    tenant = models.ForeignKey("portal.Tenant", null=True, on_delete=models.CASCADE, related_name="+")
    key_digest = models.CharField(max_length=64, unique=True)  # covers the tenant: see lockout.lock_key
    # The account whose own count this is (its sign-in lock), so the help desk finds who is locked with
    # one indexed query instead of hashing every person. Empty for the count of an identifier that
    # names no account, of a client's device cookie, of identity data and of a scoped count (the
    # unlock path, the mailed links, the caller check): none of those is the account's lock.
    user = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    failures = models.PositiveIntegerField(default=0)
    first_failure_at = models.DateTimeField(null=True)
    locked_until = models.DateTimeField(null=True, blank=True)

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        indexes = [
            # The help desk's "locked" filter: the people of a tenant whose lock runs past now.
            models.Index(
                fields=["tenant", "locked_until", "user"],
                name="signinlock_locked_people",
                condition=models.Q(user__isnull=False),
            )
        ]

    def __str__(self):
        return f"{self.failures} failure(s)"


class PasswordHistory(models.Model):
    """Hashes of an account's previous passwords, so a new password cannot be an old one."""

    tenant = models.ForeignKey("portal.Tenant", null=True, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.user_id} {self.created_at:%Y-%m-%d}"


class EmailRegistration(models.Model):
    """A member without an e-mail on file asks to add one (docs/journeys.md#register-email)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for the help desk")
        APPROVED = "approved", _("approved")
        REFUSED = "refused", _("refused")

    tenant = models.ForeignKey(
        "portal.Tenant", verbose_name=_("tenant"), on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        User,
        verbose_name=_("matching account"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("The account whose member number and last name match the request, if any."),
    )
    member_number = models.CharField(_("member number"), max_length=20)
    first_name = models.CharField(_("first name"), max_length=150)
    last_name = models.CharField(_("last name"), max_length=150)
    email = models.EmailField(_("e-mail address"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("asked on"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided on"), null=True, blank=True)
    decided_by = models.ForeignKey(
        User, verbose_name=_("decided by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("e-mail registration request")
        verbose_name_plural = _("e-mail registration requests")
        ordering = ["status", "-created_at"]

    def __str__(self):
        return f"{self.first_name} {self.last_name} <{self.email}>"


class AccountSettings(models.Model):
    """How one tenant's people sign in, recover and keep their accounts: one row per tenant."""

    class SignIn(models.TextChoices):
        USER_ID = "user_id", _("User ID")
        CODE = "code", _("Access code")
        EMAIL = "email", _("E-mail address")
        IDENTIFIER_OR_EMAIL = "identifier_or_email", _("12-digit identifier or personal e-mail")

    class DevicePolicy(models.TextChoices):
        ALTERNATIVE = "alternative", _("One way to sign in, beside the password and the security questions")
        STAFF = "staff", _("Required after the password for help-desk staff")
        EVERYONE = "everyone", _("Required after the password for everyone")

    tenant = models.OneToOneField(
        "portal.Tenant",
        verbose_name=_("tenant"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="account_settings",
    )
    sign_in_with = models.CharField(
        _("people sign in with"), max_length=30, choices=SignIn.choices, default=SignIn.EMAIL
    )
    identifier_hint_fr = models.TextField(_("where to find the identifier (French)"), blank=True)
    identifier_hint_en = models.TextField(_("where to find the identifier (English)"), blank=True)
    notice_fr = models.TextField(_("authorised-use notice (French)"), blank=True)
    notice_en = models.TextField(_("authorised-use notice (English)"), blank=True)
    privacy_policy_fr = models.TextField(
        _("privacy policy (French)"),
        blank=True,
        help_text=_("Shown at /<organisation>/privacy/. Empty: the portal's own short policy."),
    )
    privacy_policy_en = models.TextField(_("privacy policy (English)"), blank=True)
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
    password_min_length = models.PositiveSmallIntegerField(
        _("minimum password length"), default=15, validators=[MinValueValidator(15), MaxValueValidator(64)]
    )
    password_history_count = models.PositiveSmallIntegerField(
        _("previous passwords that may not be reused"), default=5, validators=[MaxValueValidator(24)]
    )
    lockout_threshold = models.PositiveSmallIntegerField(
        _("failed attempts before a lock"), default=5, validators=[MinValueValidator(1)]
    )
    lockout_minutes = models.PositiveIntegerField(
        _("lock duration (minutes)"), default=30, validators=[MinValueValidator(1)]
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
    device_policy = models.CharField(
        _("mobile device (authenticator app)"),
        max_length=12,
        choices=DevicePolicy.choices,
        default=DevicePolicy.ALTERNATIVE,
    )

    objects = TenantScopedQuerySet.as_manager()

    identifier_hint = TranslatedField("identifier_hint")
    notice = TranslatedField("notice")
    privacy_policy = TranslatedField("privacy_policy")

    class Meta:
        verbose_name = _("account settings")
        verbose_name_plural = _("account settings")

    def __str__(self):
        return str(self.tenant)

    def device_required_for(self, user) -> bool:
        """Must this person give a device code after the password?"""
        policy = self.device_policy
        return policy == self.DevicePolicy.EVERYONE or (policy == self.DevicePolicy.STAFF and user.is_staff)


# The mobile devices are the core's models, kept in their own module.
from .devices import AuthenticatorDevice, BackupCode, BackupCodeDevice  # noqa: E402, F401
