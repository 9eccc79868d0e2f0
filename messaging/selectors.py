"""Reads of secure conversations. Every read starts from the tenant and the signed-in person: a
conversation or an address that is not theirs answers 404, exactly like one that does not exist."""

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch
from django.http import Http404

from .models import (
    Activity,
    Attachment,
    Collaborator,
    Message,
    MessageOpening,
    MessagingAdministrator,
    Participation,
    Persona,
)

PAGE_SIZES = (10, 20, 30)
MESSAGES_PER_WINDOW = 5


def personas_of(*, tenant, user) -> list[Persona]:
    """The person's confirmed addresses: the tabs of the inbox, each with its unread count."""
    if not user.is_authenticated:
        return []
    return list(
        Persona.objects.for_tenant(tenant)
        .filter(user=user, confirmed_at__isnull=False)
        .order_by("created_at", "id")
    )


def access_persona(*, tenant, user, persona_id) -> Persona:
    try:
        return Persona.objects.for_tenant(tenant).get(
            pk=int(persona_id), user=user, confirmed_at__isnull=False
        )
    except (Persona.DoesNotExist, TypeError, ValueError) as missing:
        raise Http404 from missing


def access_conversation(*, tenant, user, conversation_id) -> Participation:
    """The reader's participation in the conversation (with the conversation, its holder and its
    collaborator): the person must hold a confirmed address that takes part in it. Anything else,
    another tenant's id included, is the same 404 as an id that does not exist."""
    if not user.is_authenticated:
        raise Http404
    participation = (
        Participation.objects.for_tenant(tenant)
        .filter(
            conversation_id=conversation_id,
            persona__user=user,
            persona__confirmed_at__isnull=False,
        )
        .select_related(
            "persona",
            "conversation",
            "conversation__holder",
            "conversation__collaborator",
            "conversation__collaborator__persona",
        )
        .order_by("joined_at", "id")
        .first()
    )
    if participation is None or _is_deactivated_collaborator(participation.persona):
        raise Http404
    return participation


def _is_deactivated_collaborator(persona) -> bool:
    """A collaborator the administrator deactivated no longer reaches the conversations under their
    address (seed 001: "no longer has an active account"); their participants still read them."""
    return (
        Collaborator.objects.for_tenant(persona.tenant_id).filter(persona=persona, is_active=False).exists()
    )


def inactive_collaborator_personas(*, tenant):
    """For a query: the addresses of the tenant's deactivated collaborators (never notified)."""
    return Collaborator.objects.for_tenant(tenant).filter(is_active=False).values("persona_id")


@dataclass(frozen=True)
class InboxQuery:
    """What the list shows: a page of one persona's conversations."""

    search: str = ""
    oldest_first: bool = False
    per_page: int = 10
    page: str | int = 1


def inbox_page(*, tenant, persona: Persona, query: InboxQuery):
    """One page of the conversations addressed to `persona`, newest activity first (or oldest), with
    their holder and collaborator in the same query: two queries whatever the page holds."""
    rows = Participation.objects.for_tenant(tenant).filter(persona=persona)
    if query.search:
        rows = rows.filter(conversation__title__icontains=query.search)
    order = ("last_activity_at", "id") if query.oldest_first else ("-last_activity_at", "-id")
    # Only the columns the list shows (messaging/inbox.html): building four whole model instances per
    # row was a measurable part of the page's CPU (benchmarks/README.md, "the inbox against
    # django-postman"). A column the template starts to show goes here, or each row loads it alone
    # (tests/messaging/test_inbox.py counts the queries).
    rows = (
        rows.select_related("conversation", "conversation__holder", "conversation__collaborator")
        .only(*INBOX_COLUMNS)
        .order_by(*order)
    )
    return Paginator(rows, query.per_page).get_page(query.page)


INBOX_COLUMNS = (
    "tenant_id",
    "persona_id",
    "unread_count",
    "seen_at",
    "last_activity_at",
    "conversation__tenant_id",
    "conversation__title",
    "conversation__last_activity_at",
    "conversation__message_count",
    "conversation__holder__email",
    "conversation__collaborator__is_active",
)


def message_window(*, participation: Participation, older: int = 0):
    """The five most recent messages (or, `older` windows back, five earlier ones), oldest at the top,
    each with whether this reader opened it; and whether there are older and newer ones."""
    conversation = participation.conversation
    older = max(0, older)
    start = older * MESSAGES_PER_WINDOW
    opened = MessageOpening.objects.for_tenant(participation.tenant_id).filter(
        message=OuterRef("pk"), persona=participation.persona
    )
    messages = list(
        Message.objects.for_tenant(conversation.tenant_id)
        .filter(conversation=conversation)
        .select_related("sender")
        .prefetch_related(
            Prefetch(
                "attachments",
                queryset=Attachment.objects.for_tenant(conversation.tenant_id).select_related("upload"),
            )
        )
        .annotate(opened=Exists(opened))
        .order_by("-created_at", "-id")[start : start + MESSAGES_PER_WINDOW + 1]
    )
    has_older = len(messages) > MESSAGES_PER_WINDOW
    messages = messages[:MESSAGES_PER_WINDOW]
    messages.reverse()
    return messages, has_older, older > 0


def access_message(*, participation: Participation, message_id) -> Message:
    try:
        return Message.objects.for_tenant(participation.tenant_id).get(
            pk=int(message_id), conversation_id=participation.conversation_id
        )
    except (Message.DoesNotExist, TypeError, ValueError) as missing:
        raise Http404 from missing


ACTIVITY_SORTS = {"name": ("actor_label", "at", "id"), "activity": ("kind", "at", "id"), "date": ("at", "id")}


def activity_of(*, conversation, sort: str = "date", descending: bool = False) -> list[Activity]:
    fields = ACTIVITY_SORTS.get(sort, ACTIVITY_SORTS["date"])
    if descending:
        fields = tuple(f"-{f}" for f in fields)
    return list(
        Activity.objects.for_tenant(conversation.tenant_id)
        .filter(conversation=conversation)
        .order_by(*fields)
    )


def active_collaborator(*, tenant, user) -> Collaborator | None:
    """The person's collaborator row if they may start conversations now."""
    if not user.is_authenticated:
        return None
    # One row at most (collaborator_once_per_tenant): no ORDER BY, which for .first() would be the
    # model's persona__email, a join and a sort on every messaging page.
    rows = Collaborator.objects.for_tenant(tenant).filter(user=user, is_active=True).select_related("persona")
    return next(iter(rows.order_by()[:1]), None)


def is_messaging_admin(*, tenant, user) -> bool:
    return (
        user.is_authenticated and MessagingAdministrator.objects.for_tenant(tenant).filter(user=user).exists()
    )


def collaborators_of(*, tenant) -> list[Collaborator]:
    return list(
        Collaborator.objects.for_tenant(tenant)
        .select_related("persona", "user", "successor__persona")
        .order_by("-is_active", "persona__email")
    )


def access_collaborator(*, tenant, collaborator_id) -> Collaborator:
    try:
        return (
            Collaborator.objects.for_tenant(tenant)
            .select_related("persona", "user")
            .get(pk=int(collaborator_id))
        )
    except (Collaborator.DoesNotExist, TypeError, ValueError) as missing:
        raise Http404 from missing


def file_limits(*, tenant, conversation=None):
    """What one message may carry: the tenant's blocked types, 1 GB in all (seed 001), and what is left
    of the conversation's quota (read from its counter, never summed)."""
    from .uploads.api import Limits

    settings = tenant.messaging_settings
    quota = settings.conversation_quota_gb * 1024**3
    used = conversation.files_bytes if conversation is not None else 0
    return Limits(
        blocked_extensions=tuple(settings.blocked_file_types.split()),
        remaining_quota_bytes=max(0, quota - used),
    )


def access_attachment(*, participation: Participation, upload_id) -> Attachment:
    """A file of the reader's conversation, or 404 (another conversation's file, a malformed id, a
    message that has expired)."""
    import uuid

    try:
        value = uuid.UUID(str(upload_id))
    except ValueError as wrong:
        raise Http404 from wrong
    attachment = (
        Attachment.objects.for_tenant(participation.tenant_id)
        .filter(upload_id=value, message__conversation_id=participation.conversation_id)
        .select_related("upload", "message")
        .first()
    )
    if attachment is None or attachment.message.has_expired:
        raise Http404
    return attachment


def access_export(*, tenant, user, conversation_id) -> Participation:
    """The conversation, for its ZIP export: only the collaborator in charge of it (its starter, or
    the successor after a hand-over), while active. Participants, a collaborator who only takes part
    and the starter after a hand-over get the 404 of a conversation that does not exist."""
    participation = access_conversation(tenant=tenant, user=user, conversation_id=conversation_id)
    if not may_export(participation=participation, user=user):
        raise Http404
    return participation


def may_export(*, participation: Participation, user) -> bool:
    # The window's template asks the same (conversation.html, the "Export" button).
    collaborator = participation.conversation.collaborator
    return collaborator.user_id == user.pk and collaborator.is_active
