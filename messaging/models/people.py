"""The people of messaging: the addresses a person reads conversations under (personas), the
collaborators who may start conversations, and the tenant's messaging administrators."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.devices import TenantScopedManager


class Persona(models.Model):
    """An e-mail address conversations are addressed to (docs/journeys.md#messaging-personas).

        A collaborator addresses a conversation to an address before anyone owns it: the row exists with
        no account until someone proves, by a link mailed to it, that the address is theirs. An account
        holds several; each confirmed one is a tab of the inbox. `unread_conversations` is kept up to date
        by the actions that post and open messages, and `conversation_count` by those that add it to a
    conversation (starting one, taking one over), so neither the tabs nor the list's pager count rows on
    read."""

    tenant = models.ForeignKey("portal.Tenant", on_delete=models.CASCADE, related_name="+")
    email = models.EmailField(_("e-mail address"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messaging_personas",
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    unread_conversations = models.PositiveIntegerField(default=0, editable=False)
    conversation_count = models.PositiveIntegerField(default=0, editable=False)

    objects = TenantScopedManager()

    class Meta:
        verbose_name = _("persona")
        verbose_name_plural = _("personas")
        ordering = ["email"]
        constraints = [models.UniqueConstraint(fields=["tenant", "email"], name="persona_email_per_tenant")]
        indexes = [models.Index(fields=["tenant", "user"], name="persona_tenant_user")]

    def __str__(self):
        return self.email

    @property
    def is_confirmed(self) -> bool:
        return self.user_id is not None and self.confirmed_at is not None


class Collaborator(models.Model):
    """A person of the tenant whom its messaging administrator enabled to start conversations.

    Deactivating keeps the row (the conversations point at it): its conversations turn read-only
    until the administrator hands them to a successor (docs/journeys.md#messaging-admin)."""

    tenant = models.ForeignKey("portal.Tenant", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        related_name="messaging_collaborations",
    )
    # The address the collaborator's conversations are held under (their holder).
    persona = models.ForeignKey(
        Persona, verbose_name=_("address"), on_delete=models.PROTECT, related_name="+"
    )
    is_active = models.BooleanField(_("active"), default=True)
    enabled_at = models.DateTimeField(_("enabled"), default=timezone.now)
    deactivated_at = models.DateTimeField(_("deactivated"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        verbose_name=_("conversations handed over to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = TenantScopedManager()

    class Meta:
        verbose_name = _("collaborator")
        verbose_name_plural = _("collaborators")
        ordering = ["persona__email"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "user"], name="collaborator_once_per_tenant")
        ]

    def __str__(self):
        return self.persona.email


class MessagingAdministrator(models.Model):
    """The tenant role of seed 001's "administrateur du service": enables, deactivates and reactivates
    collaborators and hands conversations over.

    A row of this module rather than a flag on the account: the account model is the core's and knows
    no module; the role disappears with the module's data, is granted and withdrawn in the platform
    admin with its own audit entry, and the messaging pages ask one indexed query to know it."""

    tenant = models.ForeignKey("portal.Tenant", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    granted_at = models.DateTimeField(_("granted"), default=timezone.now)

    objects = TenantScopedManager()

    class Meta:
        verbose_name = _("messaging administrator")
        verbose_name_plural = _("messaging administrators")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "user"], name="messaging_admin_once_per_tenant")
        ]

    def __str__(self):
        return str(self.user)


CONFIRMED = Q(user__isnull=False, confirmed_at__isnull=False)
