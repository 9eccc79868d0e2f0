"""Conversations, who takes part, their messages and their history (docs/journeys.md#messaging)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.devices import TenantScopedManager

from .people import Collaborator, Persona


class Conversation(models.Model):
    """A private exchange started by a collaborator. Seen only by the people of its participations;
    read-only while its collaborator is deactivated and nobody took it over."""

    tenant = models.ForeignKey("portal.Tenant", on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    # The address it was started under: the "holder" of the list. It never changes.
    holder = models.ForeignKey(Persona, verbose_name=_("holder"), on_delete=models.PROTECT, related_name="+")
    # Who answers for it: the collaborator who started it, or their successor after a hand-over.
    collaborator = models.ForeignKey(
        Collaborator, verbose_name=_("collaborator"), on_delete=models.PROTECT, related_name="conversations"
    )
    started_by = models.ForeignKey(
        Collaborator, verbose_name=_("started by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_activity_at = models.DateTimeField(_("last activity"), default=timezone.now)
    message_count = models.PositiveIntegerField(_("messages"), default=0, editable=False)
    # The bytes of its files, kept by the action that attaches them: the quota is read, never summed.
    files_bytes = models.BigIntegerField(_("size of its files"), default=0, editable=False)

    objects = TenantScopedManager()

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        ordering = ["-last_activity_at", "-id"]

    def __str__(self):
        # The help desk sees conversations by number and date, never by their words.
        return f"#{self.pk}"

    @property
    def is_read_only(self) -> bool:
        return not self.collaborator.is_active


class Participation(models.Model):
    """One address taking part in one conversation (the holder's included), with that reader's
    unread count, kept up to date by the actions that post and open messages: the inbox reads it,
    never counts messages. It repeats the conversation's last activity so the inbox pages on an index."""

    tenant = models.ForeignKey("portal.Tenant", on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="participations")
    persona = models.ForeignKey(Persona, on_delete=models.CASCADE, related_name="participations")
    unread_count = models.PositiveIntegerField(default=0)
    # None until this reader first opens the conversation: the list shows it in bold.
    seen_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(default=timezone.now)
    joined_at = models.DateTimeField(default=timezone.now)

    objects = TenantScopedManager()

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(fields=["conversation", "persona"], name="participation_once"),
        ]
        indexes = [
            models.Index(fields=["tenant", "persona", "-last_activity_at"], name="participation_inbox"),
        ]

    def __str__(self):
        return f"{self.persona} #{self.conversation_id}"

    @property
    def is_new(self) -> bool:
        return self.seen_at is None


class Message(models.Model):
    tenant = models.ForeignKey("portal.Tenant", on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(Persona, verbose_name=_("sender"), on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    # Set by the expiry task once the words and files are gone from the database and the storage.
    purged_at = models.DateTimeField(_("removed at expiry"), null=True, blank=True, editable=False)

    objects = TenantScopedManager()

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["conversation", "-created_at"], name="message_newest"),
            models.Index(
                fields=["tenant", "expires_at"],
                condition=models.Q(purged_at__isnull=True),
                name="message_to_expire",
            ),
        ]

    def __str__(self):
        return f"#{self.conversation_id}.{self.pk}"

    @property
    def has_expired(self) -> bool:
        return self.expires_at <= timezone.now()


class Attachment(models.Model):
    """A file of a message (messaging.uploads keeps the bytes); downloaded only by the people of the
    conversation, after the access check (views/files.py)."""

    tenant = models.ForeignKey("portal.Tenant", on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    upload = models.OneToOneField(
        "messaging_uploads.Upload", on_delete=models.PROTECT, related_name="attachment"
    )

    objects = TenantScopedManager()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["id"]

    def __str__(self):
        return f"#{self.message_id}: {self.upload_id}"


class MessageOpening(models.Model):
    """A reader opened a message ("Ouvrir"): once per address and message."""

    tenant = models.ForeignKey("portal.Tenant", on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="openings")
    persona = models.ForeignKey(Persona, on_delete=models.CASCADE, related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)

    objects = TenantScopedManager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["message", "persona"], name="message_opened_once")]

    def __str__(self):
        return f"{self.persona_id} #{self.message_id}"


class Activity(models.Model):
    """One line of a conversation's history ("vue"): who did what, when."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created the conversation")
        POSTED = "posted", _("Posted a message")
        OPENED = "opened", _("Opened a message")
        TAKEN_OVER = "taken_over", _("Took over the conversation")

    tenant = models.ForeignKey("portal.Tenant", on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(_("activity"), max_length=20, choices=Kind.choices)
    # The address that acted, kept as text too: the history reads the same if the persona goes.
    actor = models.ForeignKey(Persona, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    actor_label = models.CharField(_("name"), max_length=254)
    message = models.ForeignKey(Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    at = models.DateTimeField(_("date"), default=timezone.now)

    objects = TenantScopedManager()

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["conversation", "at"], name="activity_conversation_at")]

    def __str__(self):
        return f"{self.actor_label}: {self.get_kind_display()}"
