"""The demo of secure conversations on `poste` (docs/journeys.md#messaging-demo)."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from messaging.models import Conversation, Participation, Persona

pytestmark = pytest.mark.django_db


def test_the_demo_holds_what_the_journeys_need(client, settings):
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)  # idempotent
    personas = Persona.objects.filter(user__identifier="participant@poste.example").order_by(
        "created_at", "id"
    )
    assert [p.email for p in personas] == ["participant@poste.example", "p.participante@courriel.example"]
    rows = Participation.objects.filter(persona__in=personas)
    assert rows.count() > 30
    assert rows.filter(unread_count__gt=0).exists() and rows.filter(seen_at__isnull=True).exists()
    for persona in personas:
        assert persona.unread_conversations == rows.filter(persona=persona, unread_count__gt=0).count()
    for persona in Persona.objects.all():
        assert persona.conversation_count == Participation.objects.filter(persona=persona).count()
    assert Conversation.objects.filter(collaborator__is_active=False).count() == 1
    assert Conversation.objects.filter(messages__expires_at__lt=timezone.now()).count() == 1
    assert Conversation.objects.filter(messages__attachments__isnull=False).count() == 1
    client.post("/poste/sign-in/", {"username": "participant@poste.example", "password": "Demo-Portal-2026"})
    page = client.get("/poste/messages/").content.decode()
    assert "Lecture seule" in page or "Dernière" in page
    assert "p.participante@courriel.example" in page
