"""Self-service sign-in: identifier, then one of three methods (docs/journeys.md#selfservice)."""

import pytest

from accounts import lockout
from accounts.models import User

from .conftest import RIGHT, add_device, current_code, errors

pytestmark = pytest.mark.django_db


def start(client, tenant, identifier):
    response = client.post(f"/{tenant.slug}/self-service/sign-in/", {"identifier": identifier})
    assert response.status_code == 302 and response["Location"].endswith("/self-service/sign-in/methods/")


def test_identifier_page_tells_to_contact_the_help_desk_when_nothing_is_set_up(client, poste):
    page = errors(client.get(f"/{poste.slug}/self-service/sign-in/"))
    assert "contact the help desk" in page and "1-800-555-0100" in page


def test_sign_in_with_the_password(client, camille, password):
    start(client, camille.tenant, "e100001")
    methods = errors(client.get(f"/{camille.tenant.slug}/self-service/sign-in/methods/"))
    for choice in ("Use the password", "Answer the security questions", "Mobile device"):
        assert choice in methods
    response = client.post(f"/{camille.tenant.slug}/self-service/sign-in/password/", {"password": password})
    assert response.status_code == 302 and response["Location"].endswith("/self-service/")
    menu = errors(client.get(response["Location"]))
    for item in (
        "Change passwords",
        "Unlock accounts",
        "View profile",
        "Update security questions",
        "Link other accounts",
        "Register mobile devices",
    ):
        assert item in menu


def test_sign_in_with_the_security_questions_normalised(client, camille):
    start(client, camille.tenant, "E100001")
    page = client.get(f"/{camille.tenant.slug}/self-service/sign-in/questions/")
    assert "What was the name of your first pet?" in page.content.decode()
    response = client.post(f"/{camille.tenant.slug}/self-service/sign-in/questions/", RIGHT)
    assert response.status_code == 302
    assert client.get(f"/{camille.tenant.slug}/self-service/").status_code == 200


def test_a_wrong_answer_refuses_without_saying_which(client, camille):
    start(client, camille.tenant, "E100001")
    response = client.post(
        f"/{camille.tenant.slug}/self-service/sign-in/questions/", {**RIGHT, "q1": "Paris"}
    )
    assert response.status_code == 200
    assert "One or more answers are incorrect." in errors(response)
    assert "_auth_user_id" not in client.session


def test_sign_in_with_the_mobile_device_changes_the_session_key_and_refuses_a_reused_code(client, camille):
    device = add_device(camille)
    start(client, camille.tenant, "E100001")
    before = client.session.session_key
    code = current_code(device)
    response = client.post(f"/{camille.tenant.slug}/self-service/sign-in/device/", {"code": code})
    assert response.status_code == 302
    assert client.session.session_key != before
    assert client.session["otp_device_id"] == device.persistent_id
    # The same code a second time, by someone else: refused.
    from django.test import Client

    other = Client(HTTP_ACCEPT_LANGUAGE="en")
    start(other, camille.tenant, "E100001")
    again = other.post(f"/{camille.tenant.slug}/self-service/sign-in/device/", {"code": code})
    assert again.status_code == 200 and "This code is not valid" in errors(again)


def test_unknown_identifier_sees_the_same_pages_and_decoy_questions(client, poste, camille):
    start(client, poste, "NOBODY1")
    methods = client.get(f"/{poste.slug}/self-service/sign-in/methods/")
    assert methods.status_code == 200
    page = client.get(f"/{poste.slug}/self-service/sign-in/questions/")
    assert len(page.context["form"].fields) == poste.selfservice_settings.security_question_count
    again = client.get(f"/{poste.slug}/self-service/sign-in/questions/")
    assert [f.label for f in page.context["form"].fields.values()] == [
        f.label for f in again.context["form"].fields.values()
    ], "the same identifier always sees the same questions"
    response = client.post(
        f"/{poste.slug}/self-service/sign-in/questions/", {"q0": "a", "q1": "b", "q2": "c"}
    )
    assert "One or more answers are incorrect." in errors(response)


def test_failures_of_every_method_count_towards_one_lock(client, camille, password):
    tenant = camille.tenant
    add_device(camille)
    start(client, tenant, "E100001")
    base = f"/{tenant.slug}/self-service/sign-in/"
    client.post(base + "password/", {"password": "wrong one"})
    client.post(base + "questions/", {**RIGHT, "q0": "wrong"})
    client.post(base + "device/", {"code": "000000"})
    client.post(base + "password/", {"password": "wrong again"})
    locked = client.post(base + "questions/", {**RIGHT, "q2": "bleu"})
    assert "temporarily locked" in errors(locked)
    state = lockout.current_state(tenant, lockout.lock_key(tenant, user=camille))
    assert state.locked
    # Even the right password is refused during the lock.
    refused = client.post(base + "password/", {"password": password})
    assert "temporarily locked" in errors(refused)
    assert "_auth_user_id" not in client.session


def test_device_required_after_the_password_for_staff(client, poste, password, submit):
    from tests.factories import UserFactory

    poste.account_settings.device_policy = "staff"
    poste.account_settings.save()
    agent = UserFactory(tenant=poste, identifier="AGENT1", is_staff=True)
    device = add_device(agent)
    response = client.post(f"/{poste.slug}/sign-in/", {"username": "AGENT1", "password": password})
    assert response["Location"] == f"/{poste.slug}/sign-in/device/"
    assert "_auth_user_id" not in client.session, "not signed in before the device code"
    response = client.post(f"/{poste.slug}/sign-in/device/", {"code": current_code(device)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(agent.pk)


def test_device_required_without_a_device_sends_to_enrolment_first(client, poste, password):
    poste.account_settings.device_policy = "everyone"
    poste.account_settings.save()
    from tests.factories import UserFactory

    UserFactory(tenant=poste, identifier="E200")
    client.post(f"/{poste.slug}/sign-in/", {"username": "E200", "password": password})
    home = client.get(f"/{poste.slug}/")
    assert home.status_code == 302 and home["Location"] == f"/{poste.slug}/devices/add/"


def test_tenant_without_the_module_has_no_self_service(client, tenant_a):
    tenant_a.modules = ["messaging"]
    tenant_a.save()
    assert client.get(f"/{tenant_a.slug}/self-service/sign-in/").status_code == 404


def test_an_identifier_of_another_tenant_does_not_sign_in(client, camille, password):
    from .conftest import make_tenant

    elsewhere = make_tenant("ailleurs")
    start(client, elsewhere, "E100001")
    response = client.post(f"/{elsewhere.slug}/self-service/sign-in/password/", {"password": password})
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert User.objects.filter(identifier="E100001").count() == 1


def test_help_desk_sign_in_goes_through_the_device_when_staff_must_use_one(client, poste, password):
    from tests.factories import UserFactory

    poste.account_settings.device_policy = "staff"
    poste.account_settings.save()
    agent = UserFactory(tenant=poste, identifier="AGENT9", is_staff=True)
    device = add_device(agent)
    client.post(f"/{poste.slug}/admin/login/", {"username": "AGENT9", "password": password})
    response = client.get(f"/{poste.slug}/admin/")
    assert response.status_code == 302 and response["Location"] == f"/{poste.slug}/sign-in/device/"
    assert "_auth_user_id" not in client.session, "the password alone does not keep the session"
    done = client.post(f"/{poste.slug}/sign-in/device/", {"code": current_code(device)})
    assert done["Location"] == f"/{poste.slug}/admin/"
    assert client.get(done["Location"]).status_code == 200


def test_people_who_are_not_staff_are_not_asked_for_a_device_under_the_staff_policy(client, camille, sign_in):
    camille.tenant.account_settings.device_policy = "staff"
    camille.tenant.account_settings.save()
    sign_in(camille)
    assert client.get(f"/{camille.tenant.slug}/self-service/").status_code == 200


def test_after_signing_in_by_questions_a_new_password_needs_no_old_one(
    client, camille, django_capture_on_commit_callbacks
):
    start(client, camille.tenant, "E100001")
    client.post(f"/{camille.tenant.slug}/self-service/sign-in/questions/", RIGHT)
    page = client.get(f"/{camille.tenant.slug}/self-service/passwords/")
    assert "old_password" not in page.content.decode()
    new = "un tout nouveau mot de passe bien long"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/{camille.tenant.slug}/self-service/passwords/", {"new_password1": new, "new_password2": new}
        )
    assert response.status_code == 302
    camille.refresh_from_db()
    assert camille.check_password(new)
    # Afterwards, a change asks for the current password again.
    assert "old_password" in client.get(f"/{camille.tenant.slug}/self-service/passwords/").content.decode()


def test_after_signing_in_by_password_the_old_one_is_asked(client, camille, sign_in):
    sign_in(camille)
    response = client.post(
        f"/{camille.tenant.slug}/self-service/passwords/",
        {"new_password1": "un tout nouveau mot de passe", "new_password2": "un tout nouveau mot de passe"},
    )
    assert response.status_code == 200
    camille.refresh_from_db()
    assert not camille.check_password("un tout nouveau mot de passe")


def test_a_deactivated_account_cannot_sign_in_by_questions_or_device(client, camille):
    device = add_device(camille)
    camille.is_active = False
    camille.save()
    start(client, camille.tenant, "E100001")
    base = f"/{camille.tenant.slug}/self-service/sign-in/"
    assert client.post(base + "questions/", RIGHT).status_code == 200
    assert client.post(base + "device/", {"code": current_code(device)}).status_code == 200
    assert "_auth_user_id" not in client.session


def test_a_refused_proof_is_in_the_accounts_history_without_what_was_typed(client, camille):
    from portal.models import AuditEntry

    start(client, camille.tenant, "E100001")
    client.post(f"/{camille.tenant.slug}/self-service/sign-in/questions/", {**RIGHT, "q0": "Girafe"})
    entry = AuditEntry.objects.get(action="selfservice.proof_failed")
    assert entry.target_id == str(camille.pk) and entry.details == {"step": "questions_step"}
    assert "girafe" not in str(entry.__dict__).lower()


def test_the_former_address_of_the_device_step_leads_to_the_core_one(client, poste, password):
    from tests.factories import UserFactory

    poste.account_settings.device_policy = "staff"
    poste.account_settings.save()
    add_device(UserFactory(tenant=poste, identifier="AGENT2", is_staff=True))
    client.post(f"/{poste.slug}/sign-in/", {"username": "AGENT2", "password": password})
    response = client.get(f"/{poste.slug}/self-service/sign-in/device/")
    assert response.status_code == 302 and response["Location"] == f"/{poste.slug}/sign-in/device/"


def test_a_right_code_just_after_a_wrong_one_says_to_wait_and_how_long(client, camille):
    import time

    import time_machine

    device = add_device(camille)
    start(client, camille.tenant, "E100001")
    url = f"/{camille.tenant.slug}/self-service/sign-in/device/"
    with time_machine.travel(time.time(), tick=False) as clock:
        wrong = client.post(url, {"code": "000000" if current_code(device) != "000000" else "111111"})
        assert "This code is not valid" in errors(wrong)
        too_soon = client.post(url, {"code": current_code(device)})
        assert too_soon.status_code == 200
        said = errors(too_soon)
        assert "Wait 1 second after a wrong code" in said and "not valid" not in said
        clock.shift(2)
        right = client.post(url, {"code": current_code(device)})
    assert right.status_code == 302, errors(right)


def test_the_pause_is_the_same_for_an_identifier_without_a_device(client, poste):
    start(client, poste, "NOBODY9")
    url = f"/{poste.slug}/self-service/sign-in/device/"
    assert "This code is not valid" in errors(client.post(url, {"code": "123456"}))
    assert "Wait 1 second after a wrong code" in errors(client.post(url, {"code": "123456"}))


def test_the_lock_after_codes_without_a_device_names_no_method_and_says_what_to_do(client, poste):
    from tests.factories import UserFactory

    UserFactory(tenant=poste, identifier="COLLAB1")  # no device, no questions
    start(client, poste, "COLLAB1")
    url = f"/{poste.slug}/self-service/sign-in/device/"
    import time_machine

    with time_machine.travel("2026-03-02 10:00", tick=False) as clock:
        for _ in range(poste.account_settings.lockout_threshold):
            clock.shift(120)  # past every pause after a wrong code
            response = client.post(url, {"code": "123456"})
    said = errors(response)
    lock = said[said.index("temporarily locked") :]
    assert "password" not in lock.split("Try again")[1].split("Call the help desk")[0]
    assert "“My account is locked”" in lock
    assert "Call the help desk: Help desk: 1-800-555-0100" in lock
