"""Writes of secure conversations (docs/journeys.md#messaging). Each `do_*` action owns its
transaction, writes its audit entry and queues its mail on commit. The unread counts (per
participation and per persona) are changed here, where messages are posted and opened, so that no
page ever counts messages."""

from datetime import timedelta

from django.core import signing
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from portal.audit import record_audit
from portal.mail import send_templated_mail, send_templated_mail_many
from portal.tenancy import tenant_url

from .models import (
    Activity,
    Attachment,
    Collaborator,
    Conversation,
    Message,
    MessageOpening,
    Participation,
    Persona,
)

# A notification link opens the conversation, or an account for the address, for this long; after
# it, signing in still works and the help desk can send a fresh one (docs/journeys.md#messaging-mail).
ACCESS_LINK_DAYS = 30
ACCESS_LINK_SALT = "messaging.links.access"
# A link that adds an address to one's account, as other confirmation links: one day.
PERSONA_LINK_SECONDS = 24 * 3600
PERSONA_LINK_SALT = "messaging.links.persona"


class Refused(Exception):
    """An action the rules do not allow; its message is for the person who asked."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


# An action that may refuse keeps a savepoint: when it is called inside a caller's transaction (an
# action calling another, a test), its refusal undoes its own writes and leaves the caller's usable.
refusable = transaction.atomic


READ_ONLY = _(
    "This conversation is read-only: its collaborator no longer has access. Nobody can post in it until "
    "the service administrator hands it to someone else."
)


def _audit(tenant, actor, action, *, target=None, request=None, details=None):
    record_audit(tenant=tenant, actor=actor, action=action, target=target, request=request, details=details)


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def persona_for(*, tenant, email: str) -> Persona:
    """The address's persona on this tenant, made the first time someone writes to it."""
    persona, _created = Persona.objects.get_or_create(tenant=tenant, email=normalise_email(email))
    return persona


def personas_for(*, tenant, emails) -> list[Persona]:
    """The addresses' personas on this tenant, in the order given, without repeats; those written to for
    the first time are made. Two statements however many addresses a conversation starts with."""
    wanted = list(dict.fromkeys(normalise_email(email) for email in emails))
    Persona.objects.bulk_create(  # tenant-guard: rows built with their tenant
        [Persona(tenant=tenant, email=email) for email in wanted], ignore_conflicts=True
    )
    found = {p.email: p for p in Persona.objects.for_tenant(tenant).filter(email__in=wanted)}
    return [found[email] for email in wanted]


# Personas --------------------------------------------------------------------------------------------


def persona_token(*, user, email: str) -> str:
    return signing.dumps(
        {"t": user.tenant_id, "u": user.pk, "e": normalise_email(email)}, salt=PERSONA_LINK_SALT
    )


def read_persona_token(*, tenant, user, token: str) -> str | None:
    """The address a confirmation link was made for, if the link is this tenant's, this person's and fresh."""
    try:
        data = signing.loads(token, salt=PERSONA_LINK_SALT, max_age=PERSONA_LINK_SECONDS)
    except signing.BadSignature:
        return None
    if data.get("t") != tenant.pk or data.get("u") != user.pk:
        return None
    return data.get("e") or None


@transaction.atomic(savepoint=False)
def do_add_persona(*, user, email: str, request=None) -> None:
    """Mail a link to the new address; it becomes a persona of the account once the link is followed.
    Nothing is stored before: the same answer whether the address is free or taken."""
    email = normalise_email(email)
    link = tenant_url(
        user.tenant, "messaging:confirm_persona", kwargs={"token": persona_token(user=user, email=email)}
    )
    send_templated_mail(
        tenant=user.tenant,
        to=email,
        language=user.preferred_language,
        template="messaging_persona",
        context={"user": user, "link": link, "email": email},
    )
    _audit(user.tenant, user, "messaging.persona_link_sent", target=user, request=request)


PERSONA_TAKEN = _("This address is already used by another account. Contact the help desk if it is yours.")


@refusable
def do_confirm_persona(*, user, email: str, request=None) -> Persona:
    """The address is the person's: it becomes a tab of the inbox, with every conversation already
    addressed to it. Refused when another account holds it."""
    persona = (
        Persona.objects.for_tenant(user.tenant)
        .select_for_update()
        .get(pk=persona_for(tenant=user.tenant, email=email).pk)
    )
    if persona.user_id is not None and persona.user_id != user.pk:
        raise Refused(PERSONA_TAKEN)
    if persona.user_id is None or persona.confirmed_at is None:
        persona.user, persona.confirmed_at = user, timezone.now()
        persona.save(update_fields=["user", "confirmed_at"])
        _audit(user.tenant, user, "messaging.persona_confirmed", target=user, request=request)
    return persona


def do_claim_account_address(*, user, request=None) -> Persona | None:
    """The account's own address, once verified, is one of its personas: conversations addressed to it
    before the person ever followed a notification link show at their first visit. Nothing happens
    when another account already holds it or when nothing was addressed to it yet."""
    email = normalise_email(user.email)
    if not (email and user.email_verified):
        return None
    persona = Persona.objects.for_tenant(user.tenant).filter(email=email, user__isnull=True).first()
    if persona is None:
        return None
    return do_confirm_persona(user=user, email=email, request=request)


# Collaborators ----------------------------------------------------------------------------------------

NO_SUCH_PERSON = _("No active account of the organisation has this e-mail address.")


@refusable
def do_enable_collaborator(*, tenant, email: str, actor, request=None) -> Collaborator:
    """The person of the tenant with this address may start conversations, held under that address."""
    email = normalise_email(email)
    user = User.objects.for_tenant(tenant).filter(email=email, is_active=True).first()
    if user is None:
        raise Refused(NO_SUCH_PERSON)
    persona = do_confirm_persona(user=user, email=email, request=request)
    collaborator = Collaborator.objects.for_tenant(tenant).filter(user=user).first()
    if collaborator is None:
        collaborator = Collaborator.objects.create(tenant=tenant, user=user, persona=persona)
    elif not collaborator.is_active:
        return do_reactivate_collaborator(collaborator=collaborator, actor=actor, request=request)
    _audit(tenant, actor, "messaging.collaborator_enabled", target=collaborator, request=request)
    return collaborator


@transaction.atomic(savepoint=False)
def do_deactivate_collaborator(*, collaborator: Collaborator, actor, request=None) -> None:
    """The collaborator's conversations turn read-only (shown in red) until handed over."""
    if not collaborator.is_active:
        return
    collaborator.is_active, collaborator.deactivated_at = False, timezone.now()
    collaborator.save(update_fields=["is_active", "deactivated_at"])
    _audit(
        collaborator.tenant, actor, "messaging.collaborator_deactivated", target=collaborator, request=request
    )


@transaction.atomic(savepoint=False)
def do_reactivate_collaborator(*, collaborator: Collaborator, actor, request=None) -> Collaborator:
    """Enabled again: the conversations still in their charge are writable again."""
    collaborator.is_active, collaborator.deactivated_at = True, None
    collaborator.save(update_fields=["is_active", "deactivated_at"])
    _audit(
        collaborator.tenant, actor, "messaging.collaborator_reactivated", target=collaborator, request=request
    )
    return collaborator


@refusable
def do_hand_over_conversations(
    *, collaborator: Collaborator, successor: Collaborator, actor, request=None
) -> int:
    """Every conversation in the collaborator's charge passes to the successor, who joins it and may
    post; each one's history says who took it over and when. Returns how many moved."""
    if (
        successor.pk == collaborator.pk
        or not successor.is_active
        or successor.tenant_id != collaborator.tenant_id
    ):
        raise Refused(_("Choose an active collaborator other than the one who leaves."))
    tenant, now = collaborator.tenant, timezone.now()
    conversations = list(Conversation.objects.for_tenant(tenant).filter(collaborator=collaborator))
    ids = [c.pk for c in conversations]
    already = set(
        Participation.objects.for_tenant(tenant)
        .filter(conversation_id__in=ids, persona=successor.persona)
        .values_list("conversation_id", flat=True)
    )
    joined = Participation.objects.bulk_create(  # tenant-guard: rows built with their tenant
        [
            Participation(
                tenant=tenant,
                conversation=c,
                persona=successor.persona,
                last_activity_at=now,
                seen_at=None,
                joined_at=now,
            )
            for c in conversations
            if c.pk not in already
        ]
    )
    if joined:
        Persona.objects.for_tenant(tenant).filter(pk=successor.persona_id).update(
            conversation_count=F("conversation_count") + len(joined)
        )
    Activity.objects.bulk_create(  # tenant-guard: rows built with their tenant
        [
            Activity(
                tenant=tenant,
                conversation=c,
                kind=Activity.Kind.TAKEN_OVER,
                actor=successor.persona,
                actor_label=successor.persona.email,
                at=now,
            )
            for c in conversations
        ]
    )
    Conversation.objects.for_tenant(tenant).filter(pk__in=ids).update(
        collaborator=successor, last_activity_at=now
    )
    Participation.objects.for_tenant(tenant).filter(conversation_id__in=ids).update(last_activity_at=now)
    collaborator.successor = successor
    collaborator.save(update_fields=["successor"])
    _audit(
        tenant,
        actor,
        "messaging.conversations_handed_over",
        target=collaborator,
        request=request,
        details={"successor": successor.pk, "conversations": len(ids)},
    )
    return len(ids)


# Conversations ----------------------------------------------------------------------------------------


@refusable
def do_start_conversation(
    *, collaborator: Collaborator, title: str, emails: list[str], body: str, upload_ids=(), request=None
) -> Conversation:
    """A new conversation held under the collaborator's address, addressed to `emails`, with its
    first message; each participant is notified."""
    if not collaborator.is_active:
        raise Refused(_("Only an active collaborator can start a conversation."))
    tenant, now = collaborator.tenant, timezone.now()
    conversation = Conversation.objects.create(
        tenant=tenant,
        title=title,
        holder=collaborator.persona,
        collaborator=collaborator,
        started_by=collaborator,
        created_at=now,
        last_activity_at=now,
    )
    others = personas_for(tenant=tenant, emails=emails)
    personas = [collaborator.persona] + [p for p in others if p.pk != collaborator.persona_id]
    Participation.objects.bulk_create(  # tenant-guard: rows built with their tenant
        [
            Participation(
                tenant=tenant,
                conversation=conversation,
                persona=p,
                last_activity_at=now,
                joined_at=now,
                seen_at=now if p.pk == collaborator.persona_id else None,
            )
            for p in personas
        ]
    )
    Persona.objects.for_tenant(tenant).filter(pk__in=[p.pk for p in personas]).update(
        conversation_count=F("conversation_count") + 1
    )
    Activity.objects.create(
        tenant=tenant,
        conversation=conversation,
        kind=Activity.Kind.CREATED,
        actor=collaborator.persona,
        actor_label=collaborator.persona.email,
        at=now,
    )
    _audit(
        tenant,
        collaborator.user,
        "messaging.conversation_started",
        target=conversation,
        request=request,
        details={"participants": len(personas) - 1},
    )
    do_post_message(
        conversation=conversation,
        sender=collaborator.persona,
        body=body,
        upload_ids=upload_ids,
        request=request,
    )
    return conversation


def _expiry(tenant, now):
    return now + timedelta(days=tenant.messaging_settings.message_expiry_days)


@refusable
def do_post_message(
    *, conversation: Conversation, sender: Persona, body: str, upload_ids=(), request=None
) -> Message:
    """A message from one of the conversation's addresses. Refused on a read-only conversation, checked
    here against the row locked for the write, whatever the page showed. The others' unread counts go
    up and each of them is notified."""
    tenant, now = conversation.tenant, timezone.now()
    locked = (
        Conversation.objects.for_tenant(tenant)
        .select_for_update()
        .select_related("collaborator", "collaborator__persona")
        .get(pk=conversation.pk)
    )
    if locked.is_read_only:
        raise Refused(READ_ONLY)
    others = Participation.objects.for_tenant(tenant).filter(conversation=locked).exclude(persona=sender)
    if not Participation.objects.for_tenant(tenant).filter(conversation=locked, persona=sender).exists():
        raise Refused(_("You do not take part in this conversation."))
    message = Message.objects.create(
        tenant=tenant,
        conversation=locked,
        sender=sender,
        body=body,
        created_at=now,
        expires_at=_expiry(tenant, now),
    )
    # A persona counts the conversations it has unread: only those that had none unread change it.
    Persona.objects.for_tenant(tenant).filter(
        pk__in=others.filter(unread_count=0).values("persona_id")
    ).update(unread_conversations=F("unread_conversations") + 1)
    others.update(unread_count=F("unread_count") + 1, last_activity_at=now)
    Participation.objects.for_tenant(tenant).filter(conversation=locked, persona=sender).update(
        last_activity_at=now
    )
    added_bytes = _attach(message=message, conversation=locked, sender=sender, upload_ids=upload_ids)
    Conversation.objects.for_tenant(tenant).filter(pk=locked.pk).update(
        last_activity_at=now, message_count=F("message_count") + 1, files_bytes=F("files_bytes") + added_bytes
    )
    conversation.last_activity_at = now
    Activity.objects.create(
        tenant=tenant,
        conversation=locked,
        kind=Activity.Kind.POSTED,
        actor=sender,
        actor_label=sender.email,
        message=message,
        at=now,
    )
    actor = sender.user if sender.user_id else None
    _audit(
        tenant,
        actor,
        "messaging.message_posted",
        target=locked,
        request=request,
        details={"message": message.pk},
    )
    notify(conversation=locked, sender=sender, recipients=_reachable(others, tenant))
    return message


def _attach(*, message: Message, conversation: Conversation, sender: Persona, upload_ids) -> int:
    """The sender's uploads become the message's files, checked again against the limits (the browser
    may have skipped them); returns their bytes. A refusal undoes the whole message, its text stays
    on the page."""
    from .selectors import file_limits
    from .uploads import api

    if not upload_ids:
        return 0
    try:
        uploads = api.claim_uploads(
            tenant=conversation.tenant,
            owner=sender.user,
            upload_ids=upload_ids,
            limits=file_limits(tenant=conversation.tenant, conversation=conversation),
        )
    except api.UploadRefused as refused:
        raise Refused(refused.message) from refused
    Attachment.objects.bulk_create(  # tenant-guard: rows built with their tenant
        [Attachment(tenant=conversation.tenant, message=message, upload=upload) for upload in uploads]
    )
    return sum(upload.size for upload in uploads)


@transaction.atomic(savepoint=False)
def do_download_attachment(*, attachment: Attachment, participation: Participation, request=None) -> None:
    """A person of the conversation downloads one of its files: recorded in the audit log (the file's
    id, never its name), before views/files.py hands it over."""
    _audit(
        attachment.tenant,
        participation.persona.user,
        "messaging.file_downloaded",
        target=participation.conversation,
        request=request,
        details={"message": attachment.message_id, "file": str(attachment.upload_id)},
    )


def access_link(*, conversation: Conversation, persona: Persona) -> str:
    token = signing.dumps(
        {"t": conversation.tenant_id, "c": conversation.pk, "p": persona.pk}, salt=ACCESS_LINK_SALT
    )
    return tenant_url(conversation.tenant, "messaging:link", kwargs={"token": token})


def read_access_token(*, tenant, token: str) -> tuple[int, int] | None:
    """(conversation id, persona id) of a notification link of this tenant, while it lasts."""
    try:
        data = signing.loads(token, salt=ACCESS_LINK_SALT, max_age=ACCESS_LINK_DAYS * 86400)
    except signing.BadSignature:
        return None
    if data.get("t") != tenant.pk or not isinstance(data.get("c"), int) or not isinstance(data.get("p"), int):
        return None
    return data["c"], data["p"]


def _reachable(participations, tenant):
    """Who is told of a message: not a deactivated collaborator, who can no longer open it."""
    from .selectors import inactive_collaborator_personas

    return participations.exclude(
        persona_id__in=inactive_collaborator_personas(tenant=tenant)
    ).select_related("persona__user")


def notify(*, conversation: Conversation, sender: Persona, recipients) -> int:
    """Mail each recipient that a message waits, with a link and the sender's address only: never the
    title, the words or a file name (docs/journeys.md#messaging-mail)."""
    from_collaborator = (
        sender.pk == conversation.collaborator.persona_id or sender.pk == conversation.holder_id
    )
    # Someone without an account has told us no language: the sender's is the best guess (they write
    # to each other), else the tenant's first language.
    fallback_language = sender.user.preferred_language if sender.user_id else "fr-ca"
    mails = []
    for participation in recipients:
        persona = participation.persona
        user = persona.user
        language = user.preferred_language if user is not None else fallback_language
        # Each link is the recipient's own; the rest of the mail is the same for everybody.
        link = access_link(conversation=conversation, persona=persona)
        mails.append((persona.email, language, {"link": link}))
    # One INSERT and one task for all of them, however many (docs/journeys.md#messaging-mail).
    send_templated_mail_many(
        tenant=conversation.tenant,
        recipients=mails,
        template="messaging_notification",
        context={"sender_email": sender.email, "from_collaborator": from_collaborator},
    )
    return len(mails)


@transaction.atomic(savepoint=False)
def do_resend_notification(*, conversation: Conversation, actor, request=None) -> int:
    """The help desk sends each participant a fresh link to the conversation (the old one expired,
    the mail was lost). The sender named is the collaborator in charge."""
    sender = conversation.collaborator.persona
    recipients = _reachable(
        Participation.objects.for_tenant(conversation.tenant)
        .filter(conversation=conversation)
        .exclude(persona=sender),
        conversation.tenant,
    )
    count = notify(conversation=conversation, sender=sender, recipients=recipients)
    _audit(
        conversation.tenant,
        actor,
        "messaging.notification_resent",
        target=conversation,
        request=request,
        details={"recipients": count},
    )
    return count


@transaction.atomic(savepoint=False)
def do_open_message(*, message: Message, participation: Participation, request=None) -> bool:
    """The reader opens a message ("Ouvrir"): recorded once per address, in the history and in the
    audit log; it no longer counts as unread. Returns whether this was the first opening."""
    persona, tenant = participation.persona, message.tenant
    if message.sender_id == persona.pk:
        return False
    _opening, created = MessageOpening.objects.get_or_create(tenant=tenant, message=message, persona=persona)
    if not created:
        return False
    Activity.objects.create(
        tenant=tenant,
        conversation_id=message.conversation_id,
        kind=Activity.Kind.OPENED,
        actor=persona,
        actor_label=persona.email,
        message=message,
    )
    updated = (
        Participation.objects.for_tenant(tenant)
        .filter(pk=participation.pk, unread_count__gt=0)
        .update(unread_count=F("unread_count") - 1)
    )
    if (
        updated
        and not Participation.objects.for_tenant(tenant)
        .filter(pk=participation.pk, unread_count__gt=0)
        .exists()
    ):
        Persona.objects.for_tenant(tenant).filter(pk=persona.pk, unread_conversations__gt=0).update(
            unread_conversations=F("unread_conversations") - 1
        )
    _audit(
        tenant,
        persona.user,
        "messaging.message_opened",
        target=message.conversation,
        request=request,
        details={"message": message.pk},
    )
    return True


def mark_seen(*, participation: Participation) -> None:
    """The reader has looked at the conversation: it is no longer "new" (bold) in the list."""
    if participation.seen_at is None:
        participation.seen_at = timezone.now()
        Participation.objects.for_tenant(participation.tenant_id).filter(pk=participation.pk).update(
            seen_at=participation.seen_at
        )


# An account opened from a notification ----------------------------------------------------------------


@refusable
def do_open_account(
    *, persona: Persona, first_name: str, last_name: str, raw_password: str, request=None
) -> User:
    """A person without an account opens one for the address a notification was mailed to: the link
    proved the address, so it is confirmed at once and becomes the account's first persona. The
    password goes through the core's action (history, notice)."""
    from accounts.actions import do_set_password
    from accounts.identifiers import normalise_identifier

    tenant = persona.tenant
    persona = Persona.objects.for_tenant(tenant).select_for_update().get(pk=persona.pk)
    identifier = normalise_identifier(tenant, persona.email)
    taken = (
        User.objects.for_tenant(tenant).filter(identifier=identifier).exists()
        or User.objects.for_tenant(tenant).filter(email=persona.email).exists()
    )
    if persona.user_id is not None or taken or not identifier:
        raise Refused(_("An account already uses this address. Sign in with it instead."))
    language = getattr(request, "LANGUAGE_CODE", "") or "fr-ca"
    user = User.objects.create_user(
        tenant=tenant,
        identifier=identifier,
        email=persona.email,
        email_verified=True,
        first_name=first_name,
        last_name=last_name,
        preferred_language="en" if language.startswith("en") else "fr-ca",
    )
    do_set_password(user=user, raw_password=raw_password, request=request, actor=user)
    _audit(tenant, user, "messaging.account_opened", target=user, request=request)
    do_confirm_persona(user=user, email=persona.email, request=request)
    return user


# Expiry (docs/journeys.md#conv-expiry) -------------------------------------------------------------

EXPIRY_BATCH = 500


def do_expire_messages(*, tenant, now=None) -> int:
    """Every message of the tenant past its expiry date loses its words and files, from the database
    and from the storage (S3 included, through messaging.uploads); the window then reads "Message
    expiré le …". The files go first, outside the transaction: a file removed from storage whose
    message write then fails is only marked again at the next run. Returns how many messages."""
    from .uploads import api

    now = now or timezone.now()
    done = 0
    while True:
        batch = list(
            Message.objects.for_tenant(tenant)
            .filter(expires_at__lte=now, purged_at__isnull=True)
            .order_by("expires_at", "id")
            .values_list("pk", flat=True)[:EXPIRY_BATCH]
        )
        if not batch:
            break
        attachments = list(
            Attachment.objects.for_tenant(tenant)
            .filter(message_id__in=batch)
            .select_related("upload", "message")
        )
        freed: dict[int, int] = {}
        files = 0
        for attachment in attachments:
            upload = attachment.upload
            if upload.status != upload.Status.DELETED:
                api.delete_stored(upload)
                conversation_id = attachment.message.conversation_id
                freed[conversation_id] = freed.get(conversation_id, 0) + upload.size
                files += 1
        _mark_expired(tenant=tenant, ids=batch, freed=freed, files=files, now=now)
        done += len(batch)
    return done


@transaction.atomic(savepoint=False)
def _mark_expired(*, tenant, ids, freed: dict[int, int], files: int, now) -> None:
    Message.objects.for_tenant(tenant).filter(pk__in=ids).update(body="", purged_at=now)
    for conversation_id, size in freed.items():
        Conversation.objects.for_tenant(tenant).filter(pk=conversation_id).update(
            files_bytes=F("files_bytes") - size
        )
    _audit(tenant, None, "messaging.messages_expired", details={"messages": len(ids), "files": files})
