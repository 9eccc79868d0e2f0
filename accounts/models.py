from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.tenancy import TenantScopedQuerySet


class UserManager(BaseUserManager.from_queryset(TenantScopedQuerySet)):
    use_in_migrations = True

    def create_user(self, *, tenant, identifier, password=None, **extra):
        """A person of one tenant. Without a password, the account cannot sign in until one is set."""
        user = self.model(tenant=tenant, identifier=tenant.normalise_identifier(identifier), **extra)
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
    is_staff = models.BooleanField(
        _("help desk"), default=False, help_text=_("Can sign in to this tenant's help desk.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "identifier"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["email"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
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

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self):
        return self.first_name or self.identifier
