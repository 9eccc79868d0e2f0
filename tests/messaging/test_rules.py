"""The rules of secure conversations (docs/journeys.md#messaging): who may start, read-only
conversations, hand-over, unread counts and the activity history after an open and a reply."""

import pytest

from messaging import actions, selectors
from messaging.models import Activity, Participation, Persona

pytestmark = pytest.mark.django_db


def reader(conversation, user):
    return selectors.access_conversation(
        tenant=conversation.tenant, user=user, conversation_id=conversation.pk
    )


def test_a_participant_cannot_start_a_conversation_by_page_or_forged_post(client, sign_in, participant):
    sign_in(participant)
    assert client.get("/alpha/messages/new/").status_code == 404
    response = client.post(
        "/alpha/messages/new/", {"title": "Forgé", "participants": "x@alpha.test", "body": "Non"}
    )
    assert response.status_code == 404
    assert not Persona.objects.filter(email="x@alpha.test").exists()


def test_a_collaborator_starts_a_conversation_and_the_participant_sees_it(
    client, sign_in, collaborator, participant, mailoutbox, django_capture_on_commit_callbacks
):
    sign_in(collaborator.user)
    assert client.get("/alpha/messages/new/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/alpha/messages/new/",
            {
                "title": "Avis de cotisation",
                "participants": "PAT@alpha.test, nouveau@ailleurs.test",
                "body": "Voici.",
            },
        )
    assert response.status_code == 302
    assert {m.to[0] for m in mailoutbox} == {"pat@alpha.test", "nouveau@ailleurs.test"}
    client.logout()
    sign_in(participant)
    page = client.get("/alpha/messages/").content.decode()
    assert "Avis de cotisation" in page
    assert "1 non lue" in page or "1 unread" in page


def test_unread_and_activity_after_an_open_and_a_reply(conversation, participant, collaborator):
    mine = reader(conversation, participant)
    assert mine.unread_count == 1 and mine.is_new
    assert Persona.objects.get(pk=mine.persona_id).unread_conversations == 1
    message = conversation.messages.get()
    assert actions.do_open_message(message=message, participation=mine) is True
    assert actions.do_open_message(message=message, participation=mine) is False  # once per person
    mine.refresh_from_db()
    assert mine.unread_count == 0
    assert Persona.objects.get(pk=mine.persona_id).unread_conversations == 0
    opened = Activity.objects.filter(conversation=conversation, kind=Activity.Kind.OPENED)
    assert [a.actor_label for a in opened] == ["pat@alpha.test"]

    actions.do_post_message(conversation=conversation, sender=mine.persona, body="Merci, bien reçu.")
    theirs = Participation.objects.get(conversation=conversation, persona=collaborator.persona)
    mine.refresh_from_db()
    assert theirs.unread_count == 1 and mine.unread_count == 0
    assert Persona.objects.get(pk=collaborator.persona_id).unread_conversations == 1
    kinds = list(Activity.objects.filter(conversation=conversation).values_list("kind", "actor_label"))
    assert kinds == [
        ("created", "collab@alpha.test"),
        ("posted", "collab@alpha.test"),
        ("opened", "pat@alpha.test"),
        ("posted", "pat@alpha.test"),
    ]


def test_opening_through_the_page_records_once_and_shows_the_words(
    client, sign_in, conversation, participant
):
    sign_in(participant)
    page = client.get(f"/alpha/messages/{conversation.pk}/").content.decode()
    assert "premier message confidentiel" not in page  # closed until "Ouvrir"
    message = conversation.messages.get()
    for _ in range(2):
        response = client.post(f"/alpha/messages/{conversation.pk}/messages/{message.pk}/open/")
        assert response.status_code == 302
    page = client.get(f"/alpha/messages/{conversation.pk}/").content.decode()
    assert "premier message confidentiel" in page
    assert Activity.objects.filter(conversation=conversation, kind="opened").count() == 1


def test_a_deactivated_collaborators_conversation_refuses_posts_from_page_and_forged_request(
    client, sign_in, conversation, participant, collaborator, messaging_admin
):
    actions.do_deactivate_collaborator(collaborator=collaborator, actor=messaging_admin)
    sign_in(participant)
    page = client.get(f"/alpha/messages/{conversation.pk}/").content.decode()
    assert "Lecture seule" in page or "Read-only" in page
    assert 'name="body"' not in page
    response = client.post(f"/alpha/messages/{conversation.pk}/post/", {"body": "Forgé quand même"})
    assert response.status_code == 400
    assert "Forgé quand même" in response.content.decode()  # the typed text is kept
    assert conversation.messages.count() == 1
    listing = client.get("/alpha/messages/").content.decode()
    assert 'class=" read-only"' in listing or "read-only" in listing
    with pytest.raises(actions.Refused):
        actions.do_post_message(conversation=conversation, sender=collaborator.persona, body="Non")


def test_a_successor_takes_over_and_can_post(
    client, sign_in, conversation, participant, collaborator, messaging_admin, tenant_a
):
    from tests.factories import UserFactory

    actions.do_deactivate_collaborator(collaborator=collaborator, actor=messaging_admin)
    heir_user = UserFactory(tenant=tenant_a, identifier="heir@alpha.test", email="heir@alpha.test")
    heir = actions.do_enable_collaborator(tenant=tenant_a, email=heir_user.email, actor=messaging_admin)
    assert (
        actions.do_hand_over_conversations(collaborator=collaborator, successor=heir, actor=messaging_admin)
        == 1
    )
    conversation.refresh_from_db()
    assert not conversation.is_read_only
    taken = Activity.objects.get(conversation=conversation, kind="taken_over")
    assert taken.actor_label == "heir@alpha.test"
    sign_in(heir_user)
    response = client.post(f"/alpha/messages/{conversation.pk}/post/", {"body": "Je prends le relais."})
    assert response.status_code == 302
    assert conversation.messages.count() == 2
    client.logout()
    sign_in(participant)
    response = client.post(f"/alpha/messages/{conversation.pk}/post/", {"body": "Merci !"})
    assert response.status_code == 302
    assert conversation.messages.last().sender.email == "pat@alpha.test"


def test_the_collaborators_page_is_the_messaging_administrators_only(
    client, sign_in, collaborator, participant, messaging_admin
):
    sign_in(participant)
    assert client.get("/alpha/messages/collaborators/").status_code == 404
    assert client.post(f"/alpha/messages/collaborators/{collaborator.pk}/deactivate/").status_code == 404
    collaborator.refresh_from_db()
    assert collaborator.is_active
    client.logout()
    sign_in(messaging_admin)
    assert client.get("/alpha/messages/collaborators/").status_code == 200
    assert client.post(f"/alpha/messages/collaborators/{collaborator.pk}/deactivate/").status_code == 302
    collaborator.refresh_from_db()
    assert not collaborator.is_active
    response = client.post("/alpha/messages/collaborators/", {"email": "personne@alpha.test"})
    assert (
        "Aucun compte actif" in response.content.decode() or "No active account" in response.content.decode()
    )


def test_a_deactivated_collaborator_no_longer_opens_nor_hears_of_the_conversation(
    client,
    sign_in,
    conversation,
    participant,
    collaborator,
    messaging_admin,
    tenant_a,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    from tests.factories import UserFactory

    actions.do_deactivate_collaborator(collaborator=collaborator, actor=messaging_admin)
    sign_in(collaborator.user)
    assert client.get(f"/alpha/messages/{conversation.pk}/").status_code == 404
    heir_user = UserFactory(tenant=tenant_a, identifier="heir@alpha.test", email="heir@alpha.test")
    heir = actions.do_enable_collaborator(tenant=tenant_a, email=heir_user.email, actor=messaging_admin)
    actions.do_hand_over_conversations(collaborator=collaborator, successor=heir, actor=messaging_admin)
    mine = reader(conversation, participant)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_post_message(conversation=conversation, sender=mine.persona, body="Pour le successeur")
    assert [m.to for m in mailoutbox] == [["heir@alpha.test"]]


def test_the_history_sorts_by_name_activity_or_date_either_way(client, sign_in, conversation, participant):
    import re

    mine = reader(conversation, participant)
    actions.do_open_message(message=conversation.messages.get(), participation=mine)
    actions.do_post_message(conversation=conversation, sender=mine.persona, body="Réponse")
    sign_in(participant)

    def rows(query):
        page = client.get(f"/alpha/messages/{conversation.pk}/activity/{query}").content.decode()
        return re.findall(r'<td data-label="Nom">([^<]+)</td>\s*<td data-label="Activité">([^<]+)</td>', page)

    by_date = rows("")
    assert [kind for _, kind in by_date] == [
        "A créé la conversation",
        "A affiché un message",
        "A ouvert un message",
        "A affiché un message",
    ]
    assert rows("?sort=date&dir=desc") == list(reversed(by_date))
    assert [name for name, _ in rows("?sort=name")] == ["collab@alpha.test"] * 2 + ["pat@alpha.test"] * 2
    assert [name for name, _ in rows("?sort=name&dir=desc")] == ["pat@alpha.test"] * 2 + [
        "collab@alpha.test"
    ] * 2
    kinds = [kind for _, kind in rows("?sort=activity")]
    assert kinds == [
        "A créé la conversation",
        "A ouvert un message",
        "A affiché un message",
        "A affiché un message",
    ]
