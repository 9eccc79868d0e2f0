"""Who sees a conversation (docs/journeys.md#messaging): only the collaborator in charge and its
participants. Everyone else gets the same 404 as for a conversation that does not exist."""

import re

import pytest

from messaging import actions
from messaging.models import Collaborator
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BODY = "premier message confidentiel"


def pages_of(conversation):
    message = conversation.messages.first()
    base = f"/{conversation.tenant.slug}/messages/{conversation.pk}"
    return [f"{base}/", f"{base}/activity/"], [
        (f"{base}/post/", {"body": "Intrusion"}),
        (f"{base}/messages/{message.pk}/open/", {}),
    ]


def assert_sees_nothing(client, conversation):
    gets, posts = pages_of(conversation)
    for url in gets:
        response = client.get(url)
        assert response.status_code in (302, 404), url
        assert conversation.title.encode() not in response.content
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code in (302, 404), url
        if response.status_code == 302:
            assert "/sign-in/" in response["Location"]
    assert conversation.messages.count() == 1
    assert not conversation.activities.filter(kind="opened").exists()


def test_the_participant_reads_it(client, sign_in, conversation, participant):
    sign_in(participant)
    assert client.get(f"/alpha/messages/{conversation.pk}/").status_code == 200
    message = conversation.messages.get()
    client.post(f"/alpha/messages/{conversation.pk}/messages/{message.pk}/open/")
    assert BODY in client.get(f"/alpha/messages/{conversation.pk}/").content.decode()


def test_another_participant_of_the_same_tenant_sees_nothing(
    client, sign_in, conversation, other_participant
):
    sign_in(other_participant)
    assert_sees_nothing(client, conversation)
    assert conversation.title not in client.get("/alpha/messages/").content.decode()


def test_a_collaborator_who_did_not_start_it_sees_nothing(
    client, sign_in, conversation, messaging_admin, tenant_a
):
    other = UserFactory(tenant=tenant_a, identifier="autre@alpha.test", email="autre@alpha.test")
    actions.do_enable_collaborator(tenant=tenant_a, email=other.email, actor=messaging_admin)
    assert Collaborator.objects.filter(user=other, is_active=True).exists()
    sign_in(other)
    assert_sees_nothing(client, conversation)


def test_the_messaging_administrator_sees_nothing_either(client, sign_in, conversation, messaging_admin):
    sign_in(messaging_admin)
    assert_sees_nothing(client, conversation)


def test_a_person_of_another_tenant_sees_nothing(client, sign_in, conversation, tenant_b):
    tenant_b.modules = ["messaging"]
    tenant_b.save()
    stranger = UserFactory(tenant=tenant_b, identifier="pat@alpha.test", email="pat@alpha.test")
    actions.do_confirm_persona(user=stranger, email="pat@alpha.test")  # the same address, on beta
    sign_in(stranger)
    assert client.get(f"/beta/messages/{conversation.pk}/").status_code == 404
    response = client.get("/beta/messages/")
    assert conversation.title not in response.content.decode()
    # Beta's session is anonymous on alpha.
    response = client.get(f"/alpha/messages/{conversation.pk}/")
    assert response.status_code == 302 and "/sign-in/" in response["Location"]


def test_an_anonymous_visitor_is_sent_to_sign_in(client, conversation):
    assert_sees_nothing(client, conversation)
    response = client.get("/alpha/messages/")
    assert response.status_code == 302


def test_an_unknown_conversation_and_a_stranger_get_the_same_answer(
    client, sign_in, conversation, other_participant
):
    sign_in(other_participant)
    theirs = client.get(f"/alpha/messages/{conversation.pk}/")
    missing = client.get(f"/alpha/messages/{conversation.pk + 999}/")
    assert theirs.status_code == missing.status_code == 404

    def page(response):
        # The language switch carries a fresh CSRF token and the page's own address.
        content = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", response.content)
        return re.sub(rb"/alpha/messages/\d+/", b"", content)

    assert page(theirs) == page(missing)


def test_a_persona_tab_of_someone_else_answers_404(client, sign_in, participant, other_participant):
    sign_in(other_participant)
    persona = participant.messaging_personas.get()
    assert client.get(f"/alpha/messages/?tab={persona.pk}").status_code == 404
