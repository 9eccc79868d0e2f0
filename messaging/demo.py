"""The messaging part of seed_demo (docs/journeys.md#messaging-demo): on `poste`, a messaging
administrator, the collaborator `collab@poste.example`, a deactivated collaborator, and the
participant `participant@poste.example` with two addresses and more than 30 conversations: unread
ones, new ones, one read-only, one with an expired message and one with a file. Every run starts
poste's conversations afresh. The rows are written directly, without mail: the demo mailbox stays
for the journeys' own."""

from datetime import timedelta

from django.db.models import F
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD
from accounts.identifiers import normalise_identifier
from accounts.models import User
from portal.modules import switch_on_for_demo

from .models import (
    Activity,
    Attachment,
    Collaborator,
    Conversation,
    Message,
    MessageOpening,
    MessagingAdministrator,
    MessagingSettings,
    Participation,
    Persona,
)
from .uploads.models import Upload

ADMIN = ("gestion@poste.example", "Gaby", "Gestionnaire")
COLLABORATOR = "collab@poste.example"  # created by the accounts demo
FORMER = ("ancien@poste.example", "Alex", "Ancien")
PARTICIPANT = ("participant@poste.example", "Pascale", "Participante")
SECOND_ADDRESS = "p.participante@courriel.example"

TOPICS = [
    "Réclamation de colis",
    "Changement d’adresse",
    "Facture de mars",
    "Contrat de service",
    "Livraison refusée",
    "Boîte postale",
    "Remboursement",
    "Dossier d’assurance",
]


def _person(tenant, email, first, last):
    user = User.objects.for_tenant(tenant).filter(identifier=normalise_identifier(tenant, email)).first()
    if user is None:
        user = User.objects.create_user(
            tenant=tenant,
            identifier=email,
            password=DEMO_PASSWORD,
            email=email,
            first_name=first,
            last_name=last,
        )
    user.email_verified = True
    user.save(update_fields=["email_verified"])
    return user


def _persona(tenant, email, user, now):
    persona, _created = Persona.objects.get_or_create(tenant=tenant, email=email)
    persona.user, persona.confirmed_at, persona.unread_conversations = user, now, 0
    persona.save()
    return persona


def _forget(tenant):
    from .uploads.api import delete_stored

    files = list(Upload.objects.for_tenant(tenant).filter(attachment__isnull=False))
    Conversation.objects.for_tenant(tenant).delete()
    for upload in files:
        delete_stored(upload)
        upload.delete()
    Collaborator.objects.for_tenant(tenant).delete()
    MessagingAdministrator.objects.for_tenant(tenant).delete()
    Persona.objects.for_tenant(tenant).delete()


class _Builder:
    def __init__(self, tenant, now):
        self.tenant, self.now = tenant, now
        self.expiry = timedelta(days=tenant.messaging_settings.message_expiry_days)

    def conversation(self, *, collaborator, title, reader, at, exchange, reader_opened=True, seen=True):
        """`exchange`: the senders of its messages in order ("c" the collaborator, "p" the reader),
        one hour apart and ending at `at`. The reader opened every message of the collaborator except,
        when `reader_opened` is false, the last ones after its own last reply."""
        tenant, holder = self.tenant, collaborator.persona
        start = at - timedelta(hours=len(exchange))
        conversation = Conversation.objects.create(
            tenant=tenant,
            title=title,
            holder=holder,
            collaborator=collaborator,
            started_by=collaborator,
            created_at=start,
            last_activity_at=at,
            message_count=len(exchange),
        )
        Activity.objects.create(
            tenant=tenant,
            conversation=conversation,
            kind="created",
            actor=holder,
            actor_label=holder.email,
            at=start,
        )
        unread = 0
        last_reply = max((i for i, who in enumerate(exchange) if who == "p"), default=-1)
        for index, who in enumerate(exchange):
            sender = holder if who == "c" else reader
            sent = start + timedelta(hours=index + 1)
            message = Message.objects.create(
                tenant=tenant,
                conversation=conversation,
                sender=sender,
                body=_body(title, index, who),
                created_at=sent,
                expires_at=sent + self.expiry,
            )
            Activity.objects.create(
                tenant=tenant,
                conversation=conversation,
                kind="posted",
                actor=sender,
                actor_label=sender.email,
                message=message,
                at=sent,
            )
            if who == "c":
                if reader_opened or index < last_reply:
                    opened = sent + timedelta(minutes=20)
                    MessageOpening.objects.create(
                        tenant=tenant, message=message, persona=reader, opened_at=opened
                    )
                    Activity.objects.create(
                        tenant=tenant,
                        conversation=conversation,
                        kind="opened",
                        actor=reader,
                        actor_label=reader.email,
                        message=message,
                        at=opened,
                    )
                else:
                    unread += 1
            else:
                MessageOpening.objects.create(
                    tenant=tenant, message=message, persona=holder, opened_at=sent + timedelta(minutes=5)
                )
        Participation.objects.bulk_create(  # tenant-guard: rows built with their tenant
            [
                Participation(
                    tenant=tenant, conversation=conversation, persona=holder, last_activity_at=at, seen_at=at
                ),
                Participation(
                    tenant=tenant,
                    conversation=conversation,
                    persona=reader,
                    last_activity_at=at,
                    unread_count=unread,
                    seen_at=at if seen else None,
                ),
            ]
        )
        Persona.objects.for_tenant(tenant).filter(pk__in=[holder.pk, reader.pk]).update(
            conversation_count=F("conversation_count") + 1
        )
        if unread:
            reader.unread_conversations += 1
            reader.save(update_fields=["unread_conversations"])
        return conversation


def _attach_demo_file(conversation, owner):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .uploads.api import Limits, receive_files

    content = "Relevé annuel (démo) : tout ce document est fictif.\n".encode()
    demo_file = SimpleUploadedFile("releve-annuel-demo.txt", content, content_type="text/plain")
    (upload,) = receive_files(tenant=conversation.tenant, owner=owner, files=[demo_file], limits=Limits())
    upload.attached_at = timezone.now()
    upload.save(update_fields=["attached_at"])
    message = Message.objects.for_tenant(conversation.tenant).filter(conversation=conversation).first()
    Attachment.objects.create(tenant=conversation.tenant, message=message, upload=upload)
    Conversation.objects.for_tenant(conversation.tenant).filter(pk=conversation.pk).update(
        files_bytes=upload.size
    )


def _body(title, index, who):
    if who == "p":
        return "Merci, j’ai bien reçu votre message. Voici ma réponse (démo)."
    if index == 0:
        return f"Bonjour, je vous écris au sujet de votre dossier « {title} ». Tout ce texte est fictif."
    return f"Suite du dossier « {title} » : message {index + 1} (démo)."


def seed(tenants) -> str:
    switch_on_for_demo(tenants, "messaging", ["poste"])
    tenant = tenants["poste"]
    MessagingSettings.objects.update_or_create(tenant=tenant, defaults={"message_expiry_days": 365})
    tenant.refresh_from_db()
    now = timezone.now().replace(microsecond=0)
    _forget(tenant)

    admin = _person(tenant, *ADMIN)
    MessagingAdministrator.objects.create(tenant=tenant, user=admin)
    collab_user = User.objects.for_tenant(tenant).get(identifier=normalise_identifier(tenant, COLLABORATOR))
    collaborator = Collaborator.objects.create(
        tenant=tenant, user=collab_user, persona=_persona(tenant, COLLABORATOR, collab_user, now)
    )
    former_user = _person(tenant, *FORMER)
    former = Collaborator.objects.create(
        tenant=tenant,
        user=former_user,
        persona=_persona(tenant, FORMER[0], former_user, now),
        is_active=False,
        deactivated_at=now - timedelta(days=3),
    )
    participant = _person(tenant, *PARTICIPANT)
    first = _persona(tenant, PARTICIPANT[0], participant, now)
    second = _persona(tenant, SECOND_ADDRESS, participant, now)

    build = _Builder(tenant, now)
    for n in range(24):
        title = f"{TOPICS[n % len(TOPICS)]} no {1000 + n}"
        build.conversation(
            collaborator=collaborator,
            title=title,
            reader=first,
            at=now - timedelta(days=n, hours=2),
            exchange=["c", "p", "c"] if n % 3 else ["c"],
            reader_opened=n >= 4,  # the four most recent wait to be read
            seen=n >= 2,  # the two most recent were never looked at: bold
        )
    for n in range(8):
        build.conversation(
            collaborator=collaborator,
            title=f"Courrier personnel no {2000 + n}",
            reader=second,
            at=now - timedelta(days=n * 2, hours=5),
            exchange=["c", "p"] if n % 2 else ["c"],
            reader_opened=n >= 1,
            seen=n >= 1,
        )
    build.conversation(
        collaborator=collaborator,
        title="Suivi de dossier en plusieurs messages",
        reader=first,
        at=now - timedelta(hours=1),
        exchange=["c", "p", "c", "p", "c", "p", "c"],
    )
    build.conversation(
        collaborator=former,
        title="Ancien dossier (collaborateur parti)",
        reader=first,
        at=now - timedelta(days=40),
        exchange=["c", "p"],
    )
    expired = build.conversation(
        collaborator=collaborator,
        title="Avis de l’an dernier",
        reader=first,
        at=now - timedelta(days=400),
        exchange=["c"],
    )
    Message.objects.for_tenant(tenant).filter(conversation=expired).update(
        expires_at=now - timedelta(days=35), body="", purged_at=now - timedelta(days=35)
    )
    with_file = build.conversation(
        collaborator=collaborator,
        title="Relevé annuel (pièce jointe)",
        reader=first,
        at=now - timedelta(days=1, hours=1),
        exchange=["c"],
        reader_opened=False,
    )
    _attach_demo_file(with_file, collab_user)
    count = Conversation.objects.for_tenant(tenant).count()
    return (
        f"Secure conversations on poste: {count} conversations. Messaging administrator {ADMIN[0]}, "
        f"collaborator {COLLABORATOR}, participant {PARTICIPANT[0]} (also {SECOND_ADDRESS}); "
        f"password {DEMO_PASSWORD}."
    )
