"""Every check of a secret goes through one guard (accounts/guard.py), and the attacks it closes: a lock
that stops every guess, equal work for unknown identifiers, no race past the threshold, counted
"current password" prompts, pages that never tell a withdrawn question, a strict client address, a
recovery flow bound to its tenant, and device cookies that keep a lock from being used as a weapon."""

import datetime
import threading

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.db import connection
from django.test import Client

from accounts import guard, lockout
from accounts.models import SignInLock, User
from accounts.selfservice.models import RecoveryIdentity, SecurityAnswer, SecurityQuestion
from portal.models import AuditEntry
from tests.accounts.selfservice.conftest import (  # noqa: F401 - fixtures
    IDENTITY,
    RIGHT,
    add_device,
    alex,
    camille,
    current_code,
    errors,
    make_tenant,
    poste,
)
from tests.factories import PASSWORD, UserFactory

WRONG = "Not-The-Password-At-All-1"


def english():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def employee(coffre):
    """The vault's employee: 3 failures lock for 120 minutes."""
    user = UserFactory(
        tenant=coffre,
        identifier="123456789012",
        email="paul@coffre.test",
        last_name="Dupré",
        preferred_language="en",
    )
    user.set_private_number("588157")
    user.save()
    return user


@pytest.fixture
def hashes(monkeypatch):
    """How many password hashes a request computes (the test hasher's encode, which verify uses too)."""
    calls = []
    original = MD5PasswordHasher.encode
    monkeypatch.setattr(MD5PasswordHasher, "encode", lambda self, *a: calls.append(1) or original(self, *a))
    return calls


# A lock stops every guess, right or wrong, whatever key it lands on ---------------------------------


def test_guessing_the_sin_digits_is_stopped_even_for_the_right_guess(client, alex):
    base = f"/{alex.tenant.slug}/self-service/identifier/"
    client.get(base + "forgot/")
    for guess in range(60):
        client.post(base + "forgot/identity/", {**IDENTITY, "sin_digits": f"{guess:06d}"})
    right = client.post(base + "forgot/identity/", IDENTITY)
    assert right.status_code == 200, "the right guess must not lead to the identifier"
    assert "temporarily locked" in errors(right) or "Too many failed attempts" in errors(right)
    assert "DEMO12345" not in errors(client.get(base + "found/"))


def test_a_fresh_session_does_not_reset_the_identity_lock(client, alex, settings):
    settings.PORTAIL_FAILURES_PER_ADDRESS = 1000  # the per-person lock alone must stop it
    base = f"/{alex.tenant.slug}/self-service/identifier/"
    for guess in range(alex.tenant.lockout_threshold):
        attacker = english()
        attacker.get(base + "forgot/")
        attacker.post(base + "forgot/identity/", {**IDENTITY, "sin_digits": f"{guess:06d}"})
    attacker = english()
    attacker.get(base + "forgot/")
    right = attacker.post(base + "forgot/identity/", IDENTITY)
    assert right.status_code == 200 and "temporarily locked" in errors(right)


def test_refused_guesses_keep_counting_on_the_address(client, alex):
    """Once a key is locked, the refused guesses still count on the address: the address is stopped
    at its limit, even for another person's right data."""
    tenant = alex.tenant
    bob = UserFactory(tenant=tenant, identifier="BOB1", first_name="Bob", last_name="Autre")
    identity = RecoveryIdentity(tenant=tenant, user=bob, employee_number="300400", birth_date=datetime.date(1980, 5, 5))
    identity.set_pin("1111")
    identity.set_sin_digits("111222")
    identity.save()
    base = f"/{tenant.slug}/self-service/identifier/"
    client.get(base + "forgot/")
    for guess in range(35):
        client.post(base + "forgot/identity/", {**IDENTITY, "sin_digits": f"{guess:06d}"})
    other = english()  # another session, the same address
    other.get(base + "forgot/")
    bob_data = {"first_name": "Bob", "last_name": "Autre", "birth_date": "1980-05-05", "sin_digits": "111222"}
    response = other.post(base + "forgot/identity/", bob_data)
    assert response.status_code == 200
    assert "Too many failed attempts from your connection" in errors(response)


# Equal work on the device-code step ------------------------------------------------------------------


def test_the_device_step_spends_the_same_work_for_known_and_unknown_identifiers(camille, hashes):
    add_device(camille)
    base = f"/{camille.tenant.slug}/self-service/sign-in/"

    def work(identifier):
        browser = english()
        browser.post(base, {"identifier": identifier})
        hashes.clear()
        page = browser.post(base + "device/", {"code": "000000"})
        return len(hashes), errors(page)

    known, known_page = work(camille.identifier)
    unknown, unknown_page = work("NOBODY42")
    assert known == unknown >= 1
    assert known_page.replace(camille.identifier, "") == unknown_page.replace("NOBODY42", "")


# Race: at most the threshold is checked, and no burst gives a 500 ----------------------------------------


@pytest.mark.django_db(transaction=True)
def test_parallel_wrong_passwords_never_check_more_than_the_threshold(monkeypatch):
    from tests.factories import TenantFactory

    tenant = TenantFactory(slug="course-t", lockout_threshold=5, lockout_minutes=30)
    user = UserFactory(tenant=tenant, identifier="RACE1")
    checked, statuses, lock = [], [], threading.Lock()
    original = User.check_password

    def counting(self, raw):
        with lock:
            checked.append(raw)
        return original(self, raw)

    monkeypatch.setattr(User, "check_password", counting)
    start = threading.Barrier(20)

    def attack():
        try:
            browser = Client(raise_request_exception=False)
            start.wait()
            response = browser.post(f"/{tenant.slug}/sign-in/", {"username": "RACE1", "password": WRONG})
            with lock:
                statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=attack) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(set(statuses)) == [200], statuses
    assert len(checked) <= tenant.lockout_threshold
    assert lockout.current_state(tenant, lockout.lock_key(tenant, user=user)).locked


# Signed-in prompts ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path, field, extra",
    [
        ("profile/password/", "old_password", {"new_password1": "Un chemin sous la neige", "new_password2": "Un chemin sous la neige"}),
        ("profile/email/", "password", {"email": "new@coffre.test"}),
        ("self-service/devices/backup-codes/", "password", {}),
        ("self-service/devices/add/", "password", {"name": "Phone"}),
    ],
)
def test_current_password_prompts_count_and_lock(client, sign_in, coffre, employee, path, field, extra):
    coffre.module_accounts = True
    coffre.save()
    sign_in(employee)
    url = f"/{coffre.slug}/{path}"
    for _ in range(coffre.lockout_threshold):
        client.post(url, {**extra, field: WRONG})
    right = client.post(url, {**extra, field: PASSWORD})
    assert right.status_code == 200 and "temporarily locked" in errors(right)


def test_the_email_form_says_nothing_about_other_accounts_before_the_password(client, sign_in, coffre, employee):
    UserFactory(tenant=coffre, identifier="999999999999", email="taken@coffre.test")
    sign_in(employee)
    wrong = errors(client.post(f"/{coffre.slug}/profile/email/", {"email": "taken@coffre.test", "password": WRONG}))
    assert "already used by another account" not in wrong
    assert "Your current password is incorrect." in wrong
    right = errors(client.post(f"/{coffre.slug}/profile/email/", {"email": "taken@coffre.test", "password": PASSWORD}))
    assert "already used by another account" in right


# Withdrawn question -------------------------------------------------------------------------------------


def test_a_withdrawn_question_is_never_asked_and_real_pages_look_like_decoys(camille):
    withdrawn = SecurityAnswer.objects.filter(user=camille, purpose="self").first().question
    SecurityQuestion.objects.filter(pk=withdrawn.pk).update(is_active=False)
    base = f"/{camille.tenant.slug}/self-service/sign-in/"

    def questions_page(identifier):
        browser = english()
        browser.post(base, {"identifier": identifier})
        return browser.get(base + "questions/")

    real, decoy = questions_page(camille.identifier), questions_page("NOBODY42")
    assert withdrawn.text_en not in errors(real)
    assert len(real.context["form"].fields) == len(decoy.context["form"].fields)


# Client address -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("forwarded", ["not-an-ip", "1.2.3.4:5678", "::ffff:zz"])
def test_a_malformed_forwarded_address_is_counted_not_a_500(client, coffre, employee, settings, forwarded):
    settings.PORTAIL_TRUSTED_PROXY_HOPS = 1
    settings.PORTAIL_FAILURES_PER_ADDRESS = 3
    for _ in range(3):
        response = client.post(
            f"/{coffre.slug}/sign-in/",
            {"username": f"00000000000{_}", "password": WRONG},
            HTTP_X_FORWARDED_FOR=forwarded,
        )
        assert response.status_code == 200
    entry = AuditEntry.objects.filter(action="auth.sign_in_failed").last()
    assert entry.ip_address == "127.0.0.1"
    refused = client.post(
        f"/{coffre.slug}/sign-in/", {"username": employee.identifier, "password": PASSWORD}, HTTP_X_FORWARDED_FOR=forwarded
    )
    assert "Too many failed attempts from your connection" in errors(refused)


def test_a_valid_forwarded_address_is_used(client, coffre, settings):
    settings.PORTAIL_TRUSTED_PROXY_HOPS = 1
    client.post(f"/{coffre.slug}/sign-in/", {"username": "000000000000", "password": WRONG}, HTTP_X_FORWARDED_FOR=" 203.0.113.9 ")
    assert AuditEntry.objects.filter(action="auth.sign_in_failed").last().ip_address == "203.0.113.9"


# The recovery flow is bound to its tenant ---------------------------------------------------------------


def test_a_proof_on_one_tenant_means_nothing_on_another(client, alex):
    other = make_tenant("ailleurs-t", recovery_proof_alone=True)
    UserFactory(tenant=other, identifier="DEMO12345")
    base = f"/{alex.tenant.slug}/self-service/password/forgot/"
    client.post(base, {"identifier": "DEMO12345"})
    client.get(base + "next/")
    proved = client.post(base + "pin/", {"employee_number": "100200", "pin": "4321"})
    assert proved["Location"].endswith("/password/forgot/new/")
    elsewhere = client.post(
        f"/{other.slug}/self-service/password/forgot/new/",
        {"new_password1": "Un chemin sous la neige", "new_password2": "Un chemin sous la neige"},
    )
    assert elsewhere.status_code == 302 and "/forgot/" in elsewhere["Location"]
    assert not User.objects.get(tenant=other).check_password("Un chemin sous la neige")
    alex.refresh_from_db()
    assert alex.check_password(PASSWORD)


# Device cookies: a lock others caused does not stop the owner's browser ----------------------------------


def signed_in_browser(user):
    browser = english()
    response = browser.post(f"/{user.tenant.slug}/sign-in/", {"username": user.identifier, "password": PASSWORD})
    assert response.status_code == 302
    browser.post(f"/{user.tenant.slug}/sign-out/")
    return browser


def test_three_wrong_passwords_by_anyone_do_not_lock_the_owners_browser(coffre, employee):
    own = signed_in_browser(employee)
    attacker = english()
    for _ in range(3):
        attacker.post(f"/{coffre.slug}/sign-in/", {"username": employee.identifier, "password": WRONG})
    assert lockout.current_state(coffre, lockout.lock_key(coffre, user=employee)).locked
    untrusted = attacker.post(f"/{coffre.slug}/sign-in/", {"username": employee.identifier, "password": PASSWORD})
    assert "temporarily locked" in errors(untrusted)
    trusted = own.post(f"/{coffre.slug}/sign-in/", {"username": employee.identifier, "password": PASSWORD})
    assert trusted.status_code == 302


def test_a_shared_address_over_its_limit_does_not_refuse_a_trusted_browser(coffre, employee, settings):
    own = signed_in_browser(employee)
    colleague = english()
    for n in range(settings.PORTAIL_FAILURES_PER_ADDRESS):
        colleague.post(f"/{coffre.slug}/sign-in/", {"username": f"{n:012d}", "password": WRONG})
    refused = colleague.post(f"/{coffre.slug}/sign-in/", {"username": employee.identifier, "password": PASSWORD})
    assert "Too many failed attempts from your connection" in errors(refused)
    trusted = own.post(f"/{coffre.slug}/sign-in/", {"username": employee.identifier, "password": PASSWORD})
    assert trusted.status_code == 302


def test_a_trusted_browser_has_its_own_small_budget(coffre, employee):
    own = signed_in_browser(employee)
    for _ in range(coffre.lockout_threshold):
        own.post(f"/{coffre.slug}/sign-in/", {"username": employee.identifier, "password": WRONG})
    refused = own.post(f"/{coffre.slug}/sign-in/", {"username": employee.identifier, "password": PASSWORD})
    assert "temporarily locked" in errors(refused)
    assert not lockout.current_state(coffre, lockout.lock_key(coffre, user=employee)).locked, (
        "the browser's own failures do not lock the account for everyone else"
    )
    assert english().post(f"/{coffre.slug}/sign-in/", {"username": employee.identifier, "password": PASSWORD}).status_code == 302


def test_a_device_cookie_trusts_only_its_own_account_and_tenant(coffre, employee):
    own = signed_in_browser(employee)
    other = UserFactory(tenant=coffre, identifier="210987654321")
    for _ in range(3):
        english().post(f"/{coffre.slug}/sign-in/", {"username": other.identifier, "password": WRONG})
    response = own.post(f"/{coffre.slug}/sign-in/", {"username": other.identifier, "password": PASSWORD})
    assert "temporarily locked" in errors(response)
    forged = english()
    forged.cookies[guard.device_cookie_name(coffre)] = "forged:value"
    for _ in range(3):
        english().post(f"/{coffre.slug}/sign-in/", {"username": employee.identifier, "password": WRONG})
    assert "temporarily locked" in errors(
        forged.post(f"/{coffre.slug}/sign-in/", {"username": employee.identifier, "password": PASSWORD})
    )


def test_the_device_cookie_is_signed_http_only_and_secure_per_settings(coffre, employee, settings):
    settings.SESSION_COOKIE_SECURE = True
    browser = english()
    browser.post(f"/{coffre.slug}/sign-in/", {"username": employee.identifier, "password": PASSWORD})
    cookie = browser.cookies[guard.device_cookie_name(coffre)]
    assert cookie["httponly"] and cookie["secure"] and int(cookie["max-age"]) >= 30 * 86400
    assert SignInLock.objects.count() == 0
