"""Every path of recovery by proof, for the password (docs/journeys.md#recover) and the identifier
(docs/journeys.md#identifier)."""

import pytest
from django.core import mail

from accounts import lockout
from accounts.models import User
from accounts.selfservice import flow
from accounts.selfservice.models import RecoveryIdentity, SecurityAnswer

from .conftest import IDENTITY, RIGHT, errors

pytestmark = pytest.mark.django_db
NEW = "une longue phrase de passe neuve"


def forgot(client, tenant, identifier):
    base = f"/{tenant.slug}/self-service/password/forgot/"
    assert client.post(base, {"identifier": identifier}).status_code == 302
    return client.get(base + "next/")["Location"]


def choose_password(client, submit, tenant):
    page = client.get(f"/{tenant.slug}/self-service/password/forgot/new/")
    assert page.status_code == 200
    assert "15 characters" in errors(page), "the password rules are listed on the page"
    return submit(
        f"/{tenant.slug}/self-service/password/forgot/new/", {"new_password1": NEW, "new_password2": NEW}
    )


def test_questions_enrolled_lead_to_the_questions_then_the_new_password(client, submit, camille):
    tenant = camille.tenant
    assert forgot(client, tenant, "E100001").endswith("/password/forgot/questions/")
    assert client.post(f"/{tenant.slug}/self-service/password/forgot/questions/", RIGHT).status_code == 302
    done = choose_password(client, submit, tenant)
    assert done.status_code == 302 and done["Location"].endswith("/sign-in/")
    camille.refresh_from_db()
    assert camille.check_password(NEW)
    # The notice goes in the account's language.
    assert [m.subject for m in mail.outbox] == ["Your password was changed"]


def test_no_questions_lead_to_employee_number_and_pin(client, submit, alex):
    tenant = alex.tenant
    assert forgot(client, tenant, "demo12345").endswith("/password/forgot/pin/")
    wrong = client.post(
        f"/{tenant.slug}/self-service/password/forgot/pin/", {"employee_number": "100200", "pin": "1111"}
    )
    assert "does not match our records" in errors(wrong)
    assert (
        client.post(
            f"/{tenant.slug}/self-service/password/forgot/pin/", {"employee_number": "100 200", "pin": "4321"}
        ).status_code
        == 302
    )
    assert choose_password(client, submit, tenant).status_code == 302
    alex.refresh_from_db()
    assert alex.check_password(NEW)


def test_someone_elses_pin_does_not_recover_this_account(client, poste, alex):
    from tests.factories import UserFactory

    UserFactory(tenant=poste, identifier="E300")
    forgot(client, poste, "E300")
    response = client.post(
        f"/{poste.slug}/self-service/password/forgot/pin/", {"employee_number": "100200", "pin": "4321"}
    )
    assert response.status_code == 200 and "does not match" in errors(response)


def test_neither_remembered_identify_yourself_otherwise(client, submit, alex):
    tenant = alex.tenant
    forgot(client, tenant, "DEMO12345")
    pin_page = client.get(f"/{tenant.slug}/self-service/password/forgot/pin/")
    assert "identify yourself otherwise" in errors(pin_page)
    wrong = client.post(
        f"/{tenant.slug}/self-service/password/forgot/identity/", {**IDENTITY, "sin_digits": "046455"}
    )
    assert "does not match our records" in errors(wrong)
    ok = client.post(f"/{tenant.slug}/self-service/password/forgot/identity/", IDENTITY)
    assert ok.status_code == 302
    assert choose_password(client, submit, tenant).status_code == 302


def test_recovery_ends_the_other_sessions(client, submit, camille, sign_in):
    from django.test import Client

    elsewhere = sign_in(camille, client=Client())
    assert elsewhere.get(f"/{camille.tenant.slug}/self-service/").status_code == 200
    forgot(client, camille.tenant, "E100001")
    client.post(f"/{camille.tenant.slug}/self-service/password/forgot/questions/", RIGHT)
    choose_password(client, submit, camille.tenant)
    assert elsewhere.get(f"/{camille.tenant.slug}/self-service/").status_code == 302


def test_new_password_page_needs_a_proof(client, camille):
    forgot(client, camille.tenant, "E100001")
    response = client.get(f"/{camille.tenant.slug}/self-service/password/forgot/new/")
    assert response.status_code == 302 and response["Location"].endswith("/password/forgot/")


def test_unknown_identifiers_follow_the_same_paths_and_always_fail(client, poste):
    seen = {forgot(client, poste, f"NOBODY{i}").rsplit("/", 2)[-2] for i in range(12)}
    assert seen == {"questions", "pin"}, "unknown identifiers go both ways, like real accounts"


def test_strict_tenant_mails_a_code_after_the_proof(client, submit, strict):
    from tests.factories import UserFactory

    from .conftest import give_answers

    user = UserFactory(tenant=strict, identifier="S1", email="s1@example.org")
    give_answers(user, {0: "Éléphant", 1: "Gaspé", 2: "Rouge"})
    forgot(client, strict, "S1")
    response = submit(f"/{strict.slug}/self-service/password/forgot/questions/", RIGHT)
    assert response["Location"].endswith("/password/forgot/code/")
    assert client.get(f"/{strict.slug}/self-service/password/forgot/new/").status_code == 302
    [message] = mail.outbox
    code = next(word for word in message.body.split() if word.isdigit() and len(word) == 8)
    wrong = client.post(f"/{strict.slug}/self-service/password/forgot/code/", {"code": "00000000"})
    assert "not the one we sent" in errors(wrong)
    assert (
        client.post(f"/{strict.slug}/self-service/password/forgot/code/", {"code": code}).status_code == 302
    )
    assert choose_password(client, submit, strict).status_code == 302


def test_proof_failures_count_towards_the_account_lock(client, alex):
    tenant = alex.tenant
    forgot(client, tenant, "DEMO12345")
    for _ in range(3):
        client.post(
            f"/{tenant.slug}/self-service/password/forgot/pin/", {"employee_number": "100200", "pin": "0000"}
        )
    for _ in range(2):
        last = client.post(
            f"/{tenant.slug}/self-service/password/forgot/identity/", {**IDENTITY, "first_name": "Bob"}
        )
    assert "temporarily locked" in errors(last)
    assert lockout.current_state(tenant, lockout.lock_key(tenant, user=alex)).locked
    still = client.post(
        f"/{tenant.slug}/self-service/password/forgot/pin/", {"employee_number": "100200", "pin": "4321"}
    )
    assert "temporarily locked" in errors(still), "the right PIN is refused during the lock"


def test_identifier_by_pin_is_shown_and_mailed(client, submit, alex):
    tenant = alex.tenant
    alex.email = "alex@example.org"
    alex.save()
    page = client.get(f"/{tenant.slug}/self-service/identifier/forgot/")
    assert "Employee access code" in errors(page)
    response = submit(
        f"/{tenant.slug}/self-service/identifier/forgot/pin/", {"employee_number": "100200", "pin": "4321"}
    )
    assert response["Location"].endswith("/identifier/found/")
    found = client.get(response["Location"])
    assert "DEMO12345" in errors(found)
    assert mail.outbox and "DEMO12345" in mail.outbox[-1].body
    assert client.get(response["Location"]).status_code == 302, "shown once"


def test_identifier_by_identity_data(client, alex):
    tenant = alex.tenant
    client.get(f"/{tenant.slug}/self-service/identifier/forgot/")
    wrong = client.post(
        f"/{tenant.slug}/self-service/identifier/forgot/identity/", {**IDENTITY, "birth_date": "1970-01-16"}
    )
    assert "does not match" in errors(wrong)
    response = client.post(f"/{tenant.slug}/self-service/identifier/forgot/identity/", IDENTITY)
    assert "DEMO12345" in errors(client.get(response["Location"]))


def test_nothing_that_proves_identity_is_stored_in_clear(camille, alex):
    for row in SecurityAnswer.objects.filter(user=camille):
        assert row.answer.startswith("md5$") or row.answer.startswith("argon2")
        for clear in ("Éléphant", "elephant", "gaspe", "rouge", "Gaspé"):
            assert clear.lower() not in row.answer.lower()
    identity = RecoveryIdentity.objects.get(user=alex)
    # A hash of a keyed digest: the key id, then the hasher's own format.
    keyed, _key_id, hasher = identity.pin.split("$")[:3]
    assert "4321" not in identity.pin and keyed == "keyed" and hasher in ("md5", "argon2")
    assert "046454" not in identity.sin_digest and "6454" not in identity.sin_digest
    assert len(identity.sin_digest) == 64
    # The keyed hash needs the key that lives outside the database.
    import hashlib

    assert identity.sin_digest != hashlib.sha256(f"{alex.tenant_id}:046454".encode()).hexdigest()


def test_answers_are_hashed_with_argon2id_in_production_settings(camille, settings):
    settings.PASSWORD_HASHERS = ["accounts.hashers.PortailArgon2Hasher"]
    from accounts.selfservice.models import SecurityAnswer as Answer

    row = Answer(tenant=camille.tenant, user=camille, question=SecurityAnswer.objects.first().question)
    row.set_answer("  Éléphant ")
    assert row.answer.startswith("argon2$argon2id$")
    assert row.check_answer("elephant") and row.check_answer("ELEPHANT") and not row.check_answer("elephants")


def test_flow_expires(client, camille, monkeypatch):
    forgot(client, camille.tenant, "E100001")
    monkeypatch.setattr(flow, "FLOW_SECONDS", -1)
    response = client.get(f"/{camille.tenant.slug}/self-service/password/forgot/questions/")
    assert response.status_code == 302


def test_user_count_unchanged_by_recovery(client, camille):
    before = User.objects.count()
    forgot(client, camille.tenant, "E100001")
    assert User.objects.count() == before


def test_recovery_by_the_mobile_device(client, submit, camille):
    from .conftest import add_device, current_code

    device = add_device(camille)
    forgot(client, camille.tenant, "E100001")
    page = client.get(f"/{camille.tenant.slug}/self-service/password/forgot/questions/")
    assert "Use my mobile device instead" in errors(page)
    response = client.post(
        f"/{camille.tenant.slug}/self-service/password/forgot/device/", {"code": current_code(device)}
    )
    assert response["Location"].endswith("/password/forgot/new/")
    assert choose_password(client, submit, camille.tenant).status_code == 302


def test_an_account_with_questions_cannot_skip_them_with_pin_or_identity(client, camille):
    tenant = camille.tenant
    identity = RecoveryIdentity(tenant=tenant, user=camille, employee_number="555")
    identity.set_pin("9999")
    identity.save()
    forgot(client, tenant, "E100001")
    response = client.post(
        f"/{tenant.slug}/self-service/password/forgot/pin/", {"employee_number": "555", "pin": "9999"}
    )
    assert response.status_code == 200 and "does not match our records" in errors(response)
    assert client.get(f"/{tenant.slug}/self-service/password/forgot/new/").status_code == 302
