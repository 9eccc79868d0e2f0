"""A participant without an account opens one from the notification's link
(docs/journeys.md#messaging-account): the address is the link's, already confirmed; the password
follows the tenant's rules; the person lands on the conversation."""

import re

import pytest

from accounts.models import User
from messaging import actions

pytestmark = pytest.mark.django_db


@pytest.fixture
def newcomer_link(collaborator, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        conversation = actions.do_start_conversation(
            collaborator=collaborator, title="Bienvenue", emails=["neuf@ailleurs.test"], body="Bonjour"
        )
    mail = next(m for m in mailoutbox if m.to == ["neuf@ailleurs.test"])
    return conversation, re.search(r"(/alpha/messages/link/\S+/)", mail.body).group(1)


def test_a_newcomer_opens_an_account_and_lands_on_the_conversation(client, newcomer_link):
    conversation, link = newcomer_link
    response = client.get(link)
    assert response["Location"] == "/alpha/messages/welcome/"
    page = client.get("/alpha/messages/welcome/").content.decode()
    assert "Ouvrir un compte" in page and "neuf@ailleurs.test" in page
    form = client.get("/alpha/messages/welcome/account/").content.decode()
    assert "neuf@ailleurs.test" in form and 'name="email"' not in form  # shown, not typed
    refused = client.post(
        "/alpha/messages/welcome/account/",
        {"first_name": "Nina", "last_name": "Neuf", "new_password1": "court", "new_password2": "court"},
    )
    assert refused.status_code == 200 and not User.objects.filter(email="neuf@ailleurs.test").exists()
    password = "Une-phrase-de-passe-bien-longue-7"
    response = client.post(
        "/alpha/messages/welcome/account/",
        {"first_name": "Nina", "last_name": "Neuf", "new_password1": password, "new_password2": password},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/alpha/messages/{conversation.pk}/"
    user = User.objects.get(tenant=conversation.tenant, email="neuf@ailleurs.test")
    assert user.email_verified and user.check_password(password)
    assert client.get(response["Location"]).status_code == 200
    # The link cannot open a second account.
    client.logout()
    client.get(link)
    assert "Ouvrir un compte" not in client.get("/alpha/messages/welcome/").content.decode()
    assert client.get("/alpha/messages/welcome/account/").status_code == 302


def test_someone_with_an_account_is_offered_to_sign_in_only(
    client, collaborator, participant, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_start_conversation(
            collaborator=collaborator, title="T", emails=[participant.email], body="B"
        )
    link = re.search(r"(/alpha/messages/link/\S+/)", mailoutbox[-1].body).group(1)
    client.get(link)
    page = client.get("/alpha/messages/welcome/").content.decode()
    assert "Ouvrir un compte" not in page and "/alpha/sign-in/?next=/alpha/messages/welcome/" in page


def test_a_signed_in_person_adds_the_address_by_following_the_link(
    client, sign_in, newcomer_link, other_participant
):
    conversation, link = newcomer_link
    sign_in(other_participant)
    client.get(link)
    page = client.get("/alpha/messages/welcome/").content.decode()
    assert "neuf@ailleurs.test" in page
    response = client.post("/alpha/messages/welcome/")
    assert response["Location"] == f"/alpha/messages/{conversation.pk}/"
    assert other_participant.messaging_personas.filter(email="neuf@ailleurs.test").exists()


def test_an_address_is_added_by_its_mailed_link(
    client, sign_in, participant, mailoutbox, django_capture_on_commit_callbacks
):
    sign_in(participant)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/alpha/messages/addresses/", {"email": "Pat.Perso@Ailleurs.test"})
    mail = mailoutbox[-1]
    assert mail.to == ["pat.perso@ailleurs.test"]
    link = re.search(r"(/alpha/messages/addresses/confirm/\S+/)", mail.body).group(1)
    assert client.get(link).status_code == 200
    assert not participant.messaging_personas.filter(
        email="pat.perso@ailleurs.test"
    ).exists()  # a button first
    client.post(link)
    assert participant.messaging_personas.filter(
        email="pat.perso@ailleurs.test", confirmed_at__isnull=False
    ).exists()
    page = client.get("/alpha/messages/").content.decode()
    assert "pat.perso@ailleurs.test" in page


def test_an_account_whose_verified_address_was_written_to_sees_it_at_once(
    client, sign_in, collaborator, tenant_a
):
    from tests.factories import UserFactory

    conversation = actions.do_start_conversation(
        collaborator=collaborator, title="Pour un titulaire de compte", emails=["deja@alpha.test"], body="B"
    )
    owner = UserFactory(
        tenant=tenant_a, identifier="deja@alpha.test", email="deja@alpha.test", email_verified=True
    )
    sign_in(owner)
    page = client.get("/alpha/messages/").content.decode()
    assert "Pour un titulaire de compte" in page
    assert client.get(f"/alpha/messages/{conversation.pk}/").status_code == 200


def test_an_unverified_account_address_is_not_claimed(client, sign_in, collaborator, tenant_a):
    from tests.factories import UserFactory

    actions.do_start_conversation(
        collaborator=collaborator, title="Pas encore", emails=["pasla@alpha.test"], body="B"
    )
    owner = UserFactory(
        tenant=tenant_a, identifier="pasla@alpha.test", email="pasla@alpha.test", email_verified=False
    )
    sign_in(owner)
    assert "Pas encore" not in client.get("/alpha/messages/").content.decode()


def test_confirmation_mails_are_one_a_minute(
    client, sign_in, participant, mailoutbox, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    cache.clear()
    sign_in(participant)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/alpha/messages/addresses/", {"email": "un@ailleurs.test"})
        response = client.post("/alpha/messages/addresses/", {"email": "deux@ailleurs.test"})
    assert [m.to for m in mailoutbox] == [["un@ailleurs.test"]]
    assert "Attendez un moment" in response.content.decode()
