"""Reads of secure conversations. Every read starts from the tenant and the signed-in person: a
conversation or an address that is not theirs answers 404, exactly like one that does not exist."""

from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch
from django.http import Http404

from .models import (
    Activity,
    Attachment,
    Collaborator,
    Conversation,
    Message,
    MessageOpening,
    MessagingAdministrator,
    Participation,
    Persona,
)

PAGE_SIZES = (10, 20, 30)
MOST_PAGES = 1_000_000  # of the inbox: 30 million conversations for one address
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


@dataclass(frozen=True)
class InboxPersona:
    """A tab of the inbox: one confirmed address of the person and its unread count."""

    pk: int
    email: str
    unread_conversations: int
    conversation_count: int


@dataclass(frozen=True)
class InboxFacts:
    """What every inbox page needs to know about the person, read in one statement."""

    personas: list[InboxPersona]
    can_start: bool
    is_admin: bool


@dataclass(frozen=True)
class InboxRow:
    """One line of the list (messaging/inbox.html)."""

    conversation_id: int
    title: str
    holder_email: str
    unread_count: int
    is_new: bool
    is_read_only: bool
    last_activity_at: datetime


@dataclass(frozen=True)
class InboxPage:
    """One page of the list, with what its pager shows ("Page 2 of 300", Première … Dernière)."""

    rows: list[InboxRow]
    number: int
    num_pages: int
    count: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


# The inbox is the page people open most, and its cost was in Python, not in PostgreSQL: the ORM took
# 4.4 ms of CPU to build five queries that PostgreSQL answered in 1.5 ms (benchmarks/README.md, "the
# inbox against django-postman"). So its two statements are written out once, each still starting
# from the tenant and the person; tests/messaging/test_inbox.py and test_privacy.py hold them to the
# same answers as the rest of the module.
_TABLES = {
    "persona": Persona._meta.db_table,
    "collaborator": Collaborator._meta.db_table,
    "administrator": MessagingAdministrator._meta.db_table,
    "participation": Participation._meta.db_table,
    "conversation": Conversation._meta.db_table,
}

# The person's confirmed addresses (none: one row of NULLs), and whether they may start conversations
# and manage collaborators. Parameters by name: the tenant and the person.
_FACTS_SQL = """
SELECT p.id, p.email, p.unread_conversations, p.conversation_count,
  EXISTS (SELECT 1 FROM {collaborator} c WHERE c.tenant_id = %(tenant)s AND c.user_id = %(user)s
          AND c.is_active = %(true)s),
  EXISTS (SELECT 1 FROM {administrator} a WHERE a.tenant_id = %(tenant)s AND a.user_id = %(user)s)
FROM (SELECT 1 AS one) AS always
LEFT JOIN {persona} p ON p.tenant_id = %(tenant)s AND p.user_id = %(user)s AND p.confirmed_at IS NOT NULL
ORDER BY p.created_at, p.id
""".format(**_TABLES)  # noqa: S608 - table names from the models, every value a parameter

# One page of a persona's conversations. Without a search, how many there are is the persona's
# `conversation_count`, kept on write; with one, the same statement counts the matches (an index scan
# of her participations, never of messages), and no row on the page still gives the count.
_PAGE_SQL = """
SELECT pa.id, pa.conversation_id, pa.unread_count, pa.seen_at, pa.last_activity_at,
       c.title, h.email, co.is_active
FROM {participation} pa
JOIN {conversation} c ON c.id = pa.conversation_id AND c.tenant_id = pa.tenant_id
JOIN {persona} h ON h.id = c.holder_id
JOIN {collaborator} co ON co.id = c.collaborator_id
WHERE pa.tenant_id = %(tenant)s AND pa.persona_id = %(persona)s {search}
ORDER BY pa.last_activity_at {direction}, pa.id {direction}
LIMIT %(limit)s OFFSET %(offset)s
"""
_SEARCH_PAGE_SQL = """
SELECT total.n, page.*
FROM (SELECT COUNT(*) AS n FROM {participation} pa JOIN {conversation} c ON c.id = pa.conversation_id
      WHERE pa.tenant_id = %(tenant)s AND pa.persona_id = %(persona)s {search}) AS total
LEFT JOIN ({page}) AS page ON 1 = 1
ORDER BY page.last_activity_at {direction}, page.id {direction}
"""
_SEARCH = "AND UPPER(c.title) LIKE UPPER(%(pattern)s) ESCAPE '\\'"


def inbox_facts(*, tenant, user) -> InboxFacts:
    """The tabs of the inbox and the two links that depend on the person's roles, in one statement."""
    if not user.is_authenticated:
        return InboxFacts(personas=[], can_start=False, is_admin=False)
    with connection.cursor() as cursor:
        cursor.execute(_FACTS_SQL, {"tenant": tenant.pk, "user": user.pk, "true": True})
        found = cursor.fetchall()
    personas = [InboxPersona(*row[:4]) for row in found if row[0]]
    return InboxFacts(personas=personas, can_start=bool(found[0][4]), is_admin=bool(found[0][5]))


def inbox_page(*, tenant, persona, query: InboxQuery) -> InboxPage:
    """One page of the conversations addressed to `persona` (one of the person's, from inbox_facts),
    newest activity first (or oldest), with their holder and whether they are read-only. One statement
    whatever the page holds; a second only for a search asked for a page past its last."""
    try:
        # Past the last page is the last page (as Paginator.get_page); a number no inbox reaches is
        # brought down first, so its offset stays an integer every database takes.
        number = min(max(1, int(query.page)), MOST_PAGES)
    except (TypeError, ValueError):
        number = 1
    direction = "ASC" if query.oldest_first else "DESC"
    params = {"tenant": tenant.pk, "persona": persona.pk, "limit": query.per_page}
    if query.search:
        params["pattern"] = f"%{connection.ops.prep_for_like_query(query.search)}%"
        page = _PAGE_SQL.format(direction=direction, search=_SEARCH, **_TABLES)
        sql = _SEARCH_PAGE_SQL.format(direction=direction, search=_SEARCH, page=page, **_TABLES)
        rows, count = _inbox_rows(sql, params, number, counted=True)
        num_pages = max(1, -(-count // query.per_page))
        if number > num_pages:  # its count comes with its page
            number = num_pages
            rows, count = _inbox_rows(sql, params, number, counted=True)
    else:
        count = persona.conversation_count
        num_pages = max(1, -(-count // query.per_page))
        number = min(number, num_pages)
        sql = _PAGE_SQL.format(direction=direction, search="", **_TABLES)
        rows, _count = _inbox_rows(sql, params, number, counted=False)
    return InboxPage(rows=rows, number=number, num_pages=num_pages, count=count)


def _inbox_rows(sql, params, number, *, counted: bool):
    """The page's rows and, when the statement counts (a search's), its count, first in each row."""
    params = {**params, "offset": (number - 1) * params["limit"]}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    count = None
    if counted:  # the count, then the row's columns (NULLs when the page is empty)
        count = found[0][0]
        found = [row[1:] for row in found if row[1] is not None]
    moment = getattr(connection.ops, "convert_datetimefield_value", None)  # SQLite answers text
    rows = [
        InboxRow(
            conversation_id=conversation_id,
            title=title,
            holder_email=holder,
            unread_count=unread,
            is_new=seen_at is None,
            is_read_only=not active,
            last_activity_at=moment(at, None, connection) if moment else at,
        )
        for (_, conversation_id, unread, seen_at, at, title, holder, active) in found
    ]
    return rows, count


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
