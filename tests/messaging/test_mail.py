"""The notification mail (docs/journeys.md#messaging-mail): the collaborator's address and a link,
never the title, the words or a file name."""

import re

import pytest

from messaging import actions

pytestmark = pytest.mark.django_db


def test_the_notification_carries_no_content(conversation, participant, mailoutbox, collaborator):
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["pat@alpha.test"]
    html = mail.alternatives[0][0]
    for part in (mail.subject, mail.body, html):
        assert "Dossier 4471" not in part and "réclamation" not in part
        assert "premier message" not in part
    assert "collab@alpha.test" in mail.body and "collab@alpha.test" in html
    assert "Un collaborateur" in mail.subject or "A collaborator" in mail.subject
    assert "Accéder au message" in html or "Access the message" in html
    assert re.search(r"/alpha/messages/link/[^/\s]+/", mail.body)


def test_a_reply_notifies_the_others_only(
    conversation, participant, collaborator, other_participant, mailoutbox, django_capture_on_commit_callbacks
):
    mine = conversation.participations.get(persona__user=participant)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_post_message(conversation=conversation, sender=mine.persona, body="Réponse secrète")
    assert [m.to for m in mailoutbox] == [["collab@alpha.test"]]
    assert "Réponse secrète" not in mailoutbox[0].body


def test_the_link_leads_a_signed_in_participant_to_the_conversation(
    client, sign_in, conversation, participant, mailoutbox
):
    link = re.search(r"https?://\S+/alpha/messages/link/\S+/", mailoutbox[0].body).group(0)
    sign_in(participant)
    response = client.get(link[link.index("/alpha/") :])
    assert response.status_code == 302 and response["Referrer-Policy"] == "no-referrer"
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"] == f"/alpha/messages/{conversation.pk}/"


def test_a_link_of_another_tenant_or_tampered_is_refused(client, conversation, mailoutbox, tenant_b):
    link = re.search(r"/alpha/messages/link/(\S+)/", mailoutbox[0].body).group(1)
    assert client.get(f"/alpha/messages/link/{link}x/").status_code == 400
    tenant_b.modules = ["messaging"]
    tenant_b.save()
    assert client.get(f"/beta/messages/link/{link}/").status_code == 400
