"""Each address's number of conversations is kept by the actions that add it to one, so the inbox's
pager ("Page 1 sur 3", Dernière) never counts rows (benchmarks/README.md, "the inbox against
django-postman"); the migration that introduced the number counted the existing rows once."""

import importlib

import pytest
from django.apps import apps

from messaging import actions
from messaging.models import Participation, Persona
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def counts_are_true():
    for persona in Persona.objects.all():
        assert persona.conversation_count == Participation.objects.filter(persona=persona).count(), persona


def test_starting_and_handing_over_keep_every_address_count(
    client, sign_in, collaborator, participant, other_participant, messaging_admin, tenant_a
):
    for n in range(12):
        actions.do_start_conversation(
            collaborator=collaborator,
            title=f"Dossier {n:02d}",
            emails=[participant.email, "nouvelle@alpha.test"] + ([other_participant.email] if n % 2 else []),
            body="Bonjour",
        )
    counts_are_true()
    assert Persona.objects.get(email="nouvelle@alpha.test").conversation_count == 12
    actions.do_deactivate_collaborator(collaborator=collaborator, actor=messaging_admin)
    heir_user = UserFactory(tenant=tenant_a, identifier="heir@alpha.test", email="heir@alpha.test")
    heir = actions.do_enable_collaborator(tenant=tenant_a, email=heir_user.email, actor=messaging_admin)
    actions.do_hand_over_conversations(collaborator=collaborator, successor=heir, actor=messaging_admin)
    counts_are_true()
    assert heir.persona.__class__.objects.get(pk=heir.persona_id).conversation_count == 12

    sign_in(heir_user)
    page = client.get("/alpha/messages/").content.decode()
    assert "Page 1 sur 2" in page and "Dernière" in page


def test_the_migration_counts_the_conversations_already_there(collaborator, participant):
    for n in range(3):
        actions.do_start_conversation(
            collaborator=collaborator, title=f"Dossier {n}", emails=[participant.email], body="Bonjour"
        )
    Persona.objects.update(conversation_count=0)
    migration = importlib.import_module("messaging.migrations.0007_persona_conversation_count")
    migration.count_existing(apps, None)
    counts_are_true()
    assert Persona.objects.get(email=participant.email).conversation_count == 3
