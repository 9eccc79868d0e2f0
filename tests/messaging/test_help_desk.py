"""Secure conversations in the help desk (docs/journeys.md#messaging-helpdesk): metadata and
activity, never the title or the words; resend a notification; collaborators; scoped to the tenant."""

import pytest

from messaging.models import Collaborator
from portal.models import AuditEntry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(client, staff_a, sign_in):
    sign_in(staff_a)
    return staff_a


def test_the_agent_sees_metadata_and_activity_never_title_or_words(client, agent, conversation, participant):
    listing = client.get("/alpha/admin/messaging/conversation/").content.decode()
    assert f"#{conversation.pk}" in listing and "collab@alpha.test" in listing
    page = client.get(f"/alpha/admin/messaging/conversation/{conversation.pk}/change/").content.decode()
    assert "pat@alpha.test" in page and "collab@alpha.test" in page
    for secret in ("Dossier 4471", "réclamation", "premier message confidentiel"):
        assert secret not in listing and secret not in page
    found = client.get("/alpha/admin/messaging/conversation/?q=PAT@alpha.test").content.decode()
    assert f"#{conversation.pk}" in found
    assert client.get("/alpha/admin/messaging/conversation/?title__startswith=D").status_code == 400


def test_the_agent_resends_a_notification_audited(
    client, agent, conversation, mailoutbox, django_capture_on_commit_callbacks
):
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/alpha/admin/messaging/conversation/",
            {"action": "resend_notification", "_selected_action": [conversation.pk]},
        )
    assert response.status_code == 302
    assert [m.to for m in mailoutbox] == [["pat@alpha.test"]]
    assert "Dossier 4471" not in mailoutbox[0].body
    assert AuditEntry.objects.filter(action="messaging.notification_resent", actor=agent).exists()


def test_the_agent_deactivates_and_hands_over(
    client, agent, collaborator, conversation, messaging_admin, tenant_a
):
    from messaging import actions

    heir_user = UserFactory(tenant=tenant_a, identifier="heir@alpha.test", email="heir@alpha.test")
    heir = actions.do_enable_collaborator(tenant=tenant_a, email=heir_user.email, actor=messaging_admin)
    url = "/alpha/admin/messaging/collaborator/"
    client.post(url, {"action": "deactivate", "_selected_action": [collaborator.pk]})
    collaborator.refresh_from_db()
    assert not collaborator.is_active
    client.post(
        url, {"action": "hand_over", "_selected_action": [collaborator.pk], "successor": "heir@alpha.test"}
    )
    conversation.refresh_from_db()
    assert conversation.collaborator_id == heir.pk
    assert AuditEntry.objects.filter(action="messaging.conversations_handed_over", actor=agent).exists()
    client.post(url, {"action": "reactivate", "_selected_action": [collaborator.pk]})
    assert Collaborator.objects.get(pk=collaborator.pk).is_active


def test_another_tenants_agent_sees_nothing(client, sign_in, conversation, staff_b, tenant_b):
    tenant_b.modules = ["messaging"]
    tenant_b.save()
    sign_in(staff_b)
    assert client.get(f"/beta/admin/messaging/conversation/{conversation.pk}/change/").status_code == 404
    assert f"#{conversation.pk}" not in client.get("/beta/admin/messaging/conversation/").content.decode()
