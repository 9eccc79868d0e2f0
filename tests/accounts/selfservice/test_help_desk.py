"""The help desk: verify a caller, disable forgotten questions, remove a lost device; own tenant only."""

import pytest
from django.core import mail

from accounts.devices import AuthenticatorDevice
from accounts.selfservice.models import SecurityAnswer
from portal.models import AuditEntry

from .conftest import add_device, errors, make_tenant

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(poste):
    from tests.factories import UserFactory

    return UserFactory(tenant=poste, identifier="AGENT", is_staff=True, preferred_language="en")


@pytest.fixture
def desk(client, agent, password):
    client.post(f"/{agent.tenant.slug}/admin/login/", {"username": "AGENT", "password": password})
    return client


def test_agent_checks_a_spoken_answer_and_sees_only_right_or_wrong(desk, camille):
    url = f"/{camille.tenant.slug}/admin/accounts/user/{camille.pk}/verify-caller/"
    page = desk.get(url)
    assert "What is your favourite dish?" in errors(page)
    wrong = errors(
        desk.post(url, {f"q{SecurityAnswer.objects.get(purpose='helpdesk').question_id}": "Tourtière"})
    )
    assert "wrong" in wrong and "Pâté" not in wrong
    qid = SecurityAnswer.objects.get(purpose="helpdesk").question_id
    right = errors(desk.post(url, {f"q{qid}": "pate chinois"}))
    assert "All answers are right" in right and "pate chinois" not in right.lower()
    entries = AuditEntry.objects.filter(action__startswith="selfservice.caller_", target_id=str(camille.pk))
    assert [(e.action, e.details) for e in entries.order_by("id")] == [
        ("selfservice.caller_check_failed", {"right": 0, "asked": 1}),
        ("selfservice.caller_verified", {"right": 1, "asked": 1}),
    ]


def test_agent_of_another_tenant_cannot_reach_the_caller_check(client, camille, password):
    from tests.factories import UserFactory

    other = make_tenant("ailleurs-h")
    UserFactory(tenant=other, identifier="AGENT2", is_staff=True)
    client.post(f"/{other.slug}/admin/login/", {"username": "AGENT2", "password": password})
    assert client.get(f"/{other.slug}/admin/accounts/user/{camille.pk}/verify-caller/").status_code == 404


def test_disable_the_questions_of_a_person_who_forgot_them(desk, camille, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = desk.post(
            f"/{camille.tenant.slug}/admin/accounts/user/",
            {"action": "disable_questions", "_selected_action": [camille.pk], "post": "yes"},
        )
    assert response.status_code == 302
    assert not SecurityAnswer.objects.filter(user=camille, purpose="self").exists()
    assert SecurityAnswer.objects.filter(user=camille, purpose="helpdesk").exists()
    assert AuditEntry.objects.filter(
        action="selfservice.questions_disabled", target_id=str(camille.pk)
    ).exists()
    assert len(mail.outbox) == 1


def test_remove_a_lost_device(desk, camille, django_capture_on_commit_callbacks):
    device = add_device(camille, "Lost phone")
    listing = errors(desk.get(f"/{camille.tenant.slug}/admin/accounts/authenticatordevice/"))
    assert "Lost phone" in listing
    with django_capture_on_commit_callbacks(execute=True):
        desk.post(
            f"/{camille.tenant.slug}/admin/accounts/authenticatordevice/",
            {"action": "remove_devices", "_selected_action": [device.pk]},
        )
    assert not AuthenticatorDevice.objects.filter(pk=device.pk).exists()
    assert AuditEntry.objects.filter(action="selfservice.device_removed").exists()
    assert len(mail.outbox) == 1


def test_devices_and_questions_of_other_tenants_are_not_listed(desk, poste):
    from tests.factories import UserFactory

    from .conftest import give_answers

    other = make_tenant("ailleurs-i")
    stranger = UserFactory(tenant=other, identifier="S9")
    add_device(stranger, "Stranger phone")
    give_answers(stranger, {0: "Secret"})
    assert "Stranger phone" not in errors(desk.get(f"/{poste.slug}/admin/accounts/authenticatordevice/"))
    device = AuthenticatorDevice.objects.get(user=stranger)
    assert (
        desk.get(f"/{poste.slug}/admin/accounts/authenticatordevice/{device.pk}/change/").status_code == 404
    )
    questions = errors(desk.get(f"/{poste.slug}/admin/selfservice/securityquestion/"))
    assert questions.count("What was the name of your first pet?") == 1, (
        "the other tenant's catalogue is not listed"
    )


def test_account_links_are_not_in_any_help_desk(desk, poste):
    assert desk.get(f"/{poste.slug}/admin/selfservice/accountlink/").status_code == 404


def test_the_platform_admin_says_the_recovery_choice_plainly(admin_client, poste):
    page = errors(admin_client.get(f"/admin/portal/tenant/{poste.pk}/change/"))
    # The platform admin reads French by default.
    assert "NIST SP 800-63B-4" in page and "un code à usage unique est aussi envoyé" in page
