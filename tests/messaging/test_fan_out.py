"""Notifying the participants of a message goes through the batched mail: the same number of
database round trips and one task, whether a conversation has ten participants or a thousand
(docs/journeys.md#messaging-mail)."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from messaging import actions
from messaging.models import Conversation, Participation, Persona
from portal.models import OutboundEmail
from portal.tasks import deliver_email_batch
from tests.portal.test_mail_batches import insert_statements


def _add_participants(conversation, count, prefix="reader"):
    tenant = conversation.tenant
    personas = Persona.objects.bulk_create(
        [Persona(tenant=tenant, email=f"{prefix}{n}@example.test") for n in range(count)]
    )
    Participation.objects.bulk_create(
        [Participation(tenant=tenant, conversation=conversation, persona=persona) for persona in personas]
    )


def _post_and_count(conversation, collaborator, monkeypatch):
    published = []
    monkeypatch.setattr(
        deliver_email_batch, "apply_async", lambda args=(), **options: published.append(args[0])
    )
    OutboundEmail.objects.all().delete()
    with CaptureQueriesContext(connection) as queries:
        with transaction.atomic():
            actions.do_post_message(
                conversation=conversation, sender=collaborator.persona, body="Suite du dossier"
            )
    return queries, published


@pytest.mark.django_db(transaction=True)
def test_a_thousand_participants_cost_the_same_round_trips_and_one_task_as_ten(
    conversation, collaborator, monkeypatch
):
    _add_participants(conversation, 9)  # and the participant of the fixture: ten
    few, few_tasks = _post_and_count(conversation, collaborator, monkeypatch)
    assert OutboundEmail.objects.count() == 10

    _add_participants(conversation, 990, prefix="more")
    many, many_tasks = _post_and_count(conversation, collaborator, monkeypatch)
    assert OutboundEmail.objects.count() == 1000

    # SQLite splits one INSERT of many rows at its 999 parameters; PostgreSQL sends one.
    extra_inserts = insert_statements(1000) - insert_statements(10)
    assert len(many) == len(few) + extra_inserts, "\n".join(q["sql"][:120] for q in many.captured_queries)
    assert len(few_tasks) == 1 and len(few_tasks[0]) == 10
    assert len(many_tasks) == 1 and len(many_tasks[0]) == 1000, "one task carries every mail"
    # Each mail carries the recipient's own link and nothing of the conversation.
    mail = OutboundEmail.objects.get(to="more7@example.test")
    assert "Suite du dossier" not in mail.body_text and "4471" not in mail.body_text + mail.subject


def _start_and_count(collaborator, emails, monkeypatch):
    monkeypatch.setattr(deliver_email_batch, "apply_async", lambda args=(), **options: None)
    with CaptureQueriesContext(connection) as queries:
        with transaction.atomic():
            actions.do_start_conversation(
                collaborator=collaborator,
                title="Avis général",
                emails=emails,
                body="Bonjour à toutes et à tous.",
            )
    return queries


@pytest.mark.django_db(transaction=True)
def test_starting_with_a_hundred_addresses_costs_the_same_round_trips_as_with_ten(collaborator, monkeypatch):
    _start_and_count(collaborator, ["first@example.test"], monkeypatch)  # what a process reads once
    few = _start_and_count(collaborator, [f"a{n}@example.test" for n in range(10)], monkeypatch)
    # Some addresses already known, one typed twice in another case: each is a participant once.
    emails = [f"b{n}@example.test" for n in range(100)] + ["A3@example.test", "b7@EXAMPLE.test"]
    many = _start_and_count(collaborator, emails, monkeypatch)

    extra_inserts = insert_statements(101) - insert_statements(10)  # the outbox rows, on SQLite
    assert len(many) == len(few) + extra_inserts, "\n".join(q["sql"][:120] for q in many.captured_queries)
    started = Conversation.objects.order_by("-pk").first()
    assert started.participations.count() == 102  # the collaborator and 101 addresses
    assert Persona.objects.filter(email="a3@example.test").count() == 1
