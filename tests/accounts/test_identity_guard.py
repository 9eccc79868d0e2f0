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
from tests.accounts.selfservice import conftest as selfservice
from tests.accounts.selfservice.conftest import IDENTITY, RIGHT, add_device, current_code, errors, make_tenant
from tests.factories import PASSWORD, UserFactory

WRONG = "Not-The-Password-At-All-1"
# The self-service people and tenant (tests/accounts/selfservice/conftest.py), used here as fixtures.
poste, camille, alex = selfservice.poste, selfservice.camille, selfservice.alex


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
        private_number="588157",
    )
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
    for guess in range(alex.tenant.account_settings.lockout_threshold):
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
    identity = RecoveryIdentity(
        tenant=tenant, user=bob, employee_number="300400", birth_date=datetime.date(1980, 5, 5)
    )
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


def test_a_backup_code_costs_the_same_for_every_identifier(camille, poste, hashes):
    from accounts.devices import BackupCodeDevice

    add_device(camille)
    BackupCodeDevice.objects.create(tenant=poste, user=camille, name="Backup", confirmed=True).replace_codes()
    without_codes = UserFactory(tenant=poste, identifier="E100002")
    add_device(without_codes)
    base = f"/{poste.slug}/self-service/sign-in/"

    def work(identifier):
        browser = english()
        browser.post(base, {"identifier": identifier})
        hashes.clear()
        browser.post(base + "device/", {"code": "ABCD EFGH JKMN PQRS"})
        return len(hashes)

    assert work(camille.identifier) == work(without_codes.identifier) == work("NOBODY42") >= 10


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
    assert len(checked) <= tenant.account_settings.lockout_threshold
    assert lockout.current_state(tenant, lockout.lock_key(tenant, user=user)).locked


# Signed-in prompts ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path, field, extra",
    [
        (
            "profile/password/",
            "old_password",
            {"new_password1": "Un chemin sous la neige", "new_password2": "Un chemin sous la neige"},
        ),
        ("profile/email/", "password", {"email": "new@coffre.test"}),
        ("devices/backup-codes/", "password", {}),
        ("devices/add/", "password", {"name": "Phone"}),
        ("devices/{device}/remove/", "password", {}),
    ],
)
def test_current_password_prompts_count_and_lock(client, sign_in, coffre, employee, path, field, extra):
    coffre.modules = [*coffre.modules, "selfservice"]
    coffre.save()
    device = add_device(employee)
    sign_in(employee)
    url = f"/{coffre.slug}/{path.format(device=device.pk)}"
    for _ in range(coffre.account_settings.lockout_threshold):
        client.post(url, {**extra, field: WRONG})
    right = client.post(url, {**extra, field: PASSWORD})
    assert right.status_code == 200 and "temporarily locked" in errors(right)


def test_the_email_form_says_nothing_about_other_accounts_before_the_password(
    client, sign_in, coffre, employee
):
    UserFactory(tenant=coffre, identifier="999999999999", email="taken@coffre.test")
    sign_in(employee)
    wrong = errors(
        client.post(f"/{coffre.slug}/profile/email/", {"email": "taken@coffre.test", "password": WRONG})
    )
    assert "already used by another account" not in wrong
    assert "Your current password is incorrect." in wrong
    right = errors(
        client.post(f"/{coffre.slug}/profile/email/", {"email": "taken@coffre.test", "password": PASSWORD})
    )
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
    # Fewer live answers than the tenant asks for: no questions to prove with; recovery goes to the
    # other proof until the person chooses a new question.
    browser = english()
    browser.post(f"/{camille.tenant.slug}/self-service/password/forgot/", {"identifier": camille.identifier})
    assert browser.get(f"/{camille.tenant.slug}/self-service/password/forgot/next/")["Location"].endswith(
        "/pin/"
    )


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
        f"/{coffre.slug}/sign-in/",
        {"username": employee.identifier, "password": PASSWORD},
        HTTP_X_FORWARDED_FOR=forwarded,
    )
    assert "Too many failed attempts from your connection" in errors(refused)


def test_a_valid_forwarded_address_is_used(client, coffre, settings):
    settings.PORTAIL_TRUSTED_PROXY_HOPS = 1
    client.post(
        f"/{coffre.slug}/sign-in/",
        {"username": "000000000000", "password": WRONG},
        HTTP_X_FORWARDED_FOR=" 203.0.113.9 ",
    )
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
    response = browser.post(
        f"/{user.tenant.slug}/sign-in/", {"username": user.identifier, "password": PASSWORD}
    )
    assert response.status_code == 302
    browser.post(f"/{user.tenant.slug}/sign-out/")
    return browser


def test_three_wrong_passwords_by_anyone_do_not_lock_the_owners_browser(coffre, employee):
    own = signed_in_browser(employee)
    attacker = english()
    for _ in range(3):
        attacker.post(f"/{coffre.slug}/sign-in/", {"username": employee.identifier, "password": WRONG})
    assert lockout.current_state(coffre, lockout.lock_key(coffre, user=employee)).locked
    untrusted = attacker.post(
        f"/{coffre.slug}/sign-in/", {"username": employee.identifier, "password": PASSWORD}
    )
    assert "temporarily locked" in errors(untrusted)
    trusted = own.post(f"/{coffre.slug}/sign-in/", {"username": employee.identifier, "password": PASSWORD})
    assert trusted.status_code == 302


def test_a_shared_address_over_its_limit_does_not_refuse_a_trusted_browser(coffre, employee, settings):
    own = signed_in_browser(employee)
    colleague = english()
    for n in range(settings.PORTAIL_FAILURES_PER_ADDRESS):
        colleague.post(f"/{coffre.slug}/sign-in/", {"username": f"{n:012d}", "password": WRONG})
    refused = colleague.post(
        f"/{coffre.slug}/sign-in/", {"username": employee.identifier, "password": PASSWORD}
    )
    assert "Too many failed attempts from your connection" in errors(refused)
    trusted = own.post(f"/{coffre.slug}/sign-in/", {"username": employee.identifier, "password": PASSWORD})
    assert trusted.status_code == 302


def test_a_trusted_browser_has_its_own_small_budget(coffre, employee):
    own = signed_in_browser(employee)
    for _ in range(coffre.account_settings.lockout_threshold):
        own.post(f"/{coffre.slug}/sign-in/", {"username": employee.identifier, "password": WRONG})
    refused = own.post(f"/{coffre.slug}/sign-in/", {"username": employee.identifier, "password": PASSWORD})
    assert "temporarily locked" in errors(refused)
    assert not lockout.current_state(coffre, lockout.lock_key(coffre, user=employee)).locked, (
        "the browser's own failures do not lock the account for everyone else"
    )
    assert (
        english()
        .post(f"/{coffre.slug}/sign-in/", {"username": employee.identifier, "password": PASSWORD})
        .status_code
        == 302
    )


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


def trusted(browser, tenant) -> bool:
    cookie = browser.cookies.get(guard.device_cookie_name(tenant))
    return bool(cookie and cookie.value)


def test_a_sign_in_through_the_device_step_trusts_the_browser_only_after_the_code(coffre, employee):
    coffre.account_settings.device_policy = "everyone"
    coffre.account_settings.save()
    code = current_code(add_device(employee))
    browser = english()
    step = browser.post(f"/{coffre.slug}/sign-in/", {"username": employee.identifier, "password": PASSWORD})
    assert step["Location"] == f"/{coffre.slug}/sign-in/device/"
    assert not trusted(browser, coffre), "the password alone is not a sign-in"
    assert browser.post(step["Location"], {"code": code}).status_code == 302
    assert trusted(browser, coffre)


def test_a_self_service_sign_in_trusts_the_browser(camille):
    browser = english()
    base = f"/{camille.tenant.slug}/self-service/sign-in/"
    browser.post(base, {"identifier": camille.identifier})
    assert browser.post(base + "password/", {"password": PASSWORD}).status_code == 302
    assert browser.session["_auth_user_id"] == str(camille.pk)
    assert trusted(browser, camille.tenant)


def test_the_help_desk_sign_in_trusts_the_browser_once_through_the_stages(coffre):
    agent = UserFactory(tenant=coffre, identifier="555555555555", is_staff=True)
    browser = english()
    browser.post(f"/{coffre.slug}/admin/login/", {"username": agent.identifier, "password": PASSWORD})
    assert browser.get(f"/{coffre.slug}/admin/").status_code == 200
    assert trusted(browser, coffre)


def test_the_help_desk_password_alone_does_not_trust_the_browser_where_the_device_is_required(coffre):
    """Else each sign-in with a known password would hand a fresh cookie, and with it a fresh budget of
    guesses at the device code that the account's lock never stops."""
    coffre.account_settings.device_policy = "staff"
    coffre.account_settings.save()
    agent = UserFactory(tenant=coffre, identifier="555555555555", is_staff=True)
    code = current_code(add_device(agent))
    browser = english()
    browser.post(f"/{coffre.slug}/admin/login/", {"username": agent.identifier, "password": PASSWORD})
    step = browser.get(f"/{coffre.slug}/admin/")
    assert step["Location"] == f"/{coffre.slug}/sign-in/device/"
    assert not trusted(browser, coffre)
    assert browser.post(step["Location"], {"code": code}).status_code == 302
    assert trusted(browser, coffre)


def test_wrong_codes_on_the_device_step_lock_the_account(coffre, employee):
    """The core's device step counts under the guard: the lock its wrong codes set stops the right code,
    and the password on the sign-in page."""
    coffre.account_settings.device_policy = "everyone"
    coffre.account_settings.save()
    code = current_code(add_device(employee))
    browser = english()
    step = browser.post(f"/{coffre.slug}/sign-in/", {"username": employee.identifier, "password": PASSWORD})
    for _ in range(coffre.account_settings.lockout_threshold):
        browser.post(step["Location"], {"code": "000000"})
    right = browser.post(step["Location"], {"code": code})
    assert right.status_code == 200 and "temporarily locked" in errors(right)
    assert "_auth_user_id" not in browser.session
    assert lockout.current_state(coffre, lockout.lock_key(coffre, user=employee)).locked
    refusals = AuditEntry.objects.filter(action="selfservice.proof_failed", target_id=str(employee.pk))
    assert refusals.count() == coffre.account_settings.lockout_threshold
    again = english().post(
        f"/{coffre.slug}/sign-in/", {"username": employee.identifier, "password": PASSWORD}
    )
    assert "temporarily locked" in errors(again)


# Every form that checks a secret goes through the guard ------------------------------------------------

# Found by introspection below; a new form with a secret field fails this test until it has a scenario.
SECRET_NAMES = {"password", "old_password", "code", "pin", "sin_digits", "private_number"}
NOT_IDENTITY_CHECKS = {
    # The first code of a device being added: typed by a person already signed in (and past the
    # password prompt of AddDeviceForm), for a key only they hold; it proves the app works, not who
    # they are.
    "accounts.device_forms.ConfirmDeviceForm",
}
LOCKED = "Refused by the guard for this test."


def forms_that_check_a_secret():
    import importlib
    import inspect

    from django import forms

    found = set()
    import pkgutil

    import accounts

    # Every module of forms in accounts and its apps (accounts.forms, accounts.device_forms,
    # accounts.selfservice.forms, ...), and the help desk's caller check.
    names = [
        info.name
        for info in pkgutil.walk_packages(accounts.__path__, "accounts.")
        if info.name.rsplit(".", 1)[-1].endswith("forms")
    ]
    for module_name in [*names, "accounts.selfservice.helpdesk"]:
        module = importlib.import_module(module_name)
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if not issubclass(cls, forms.BaseForm) or cls.__module__ != module_name:
                continue
            fields = cls.base_fields
            secret = name.endswith("AnswersForm") or any(
                field_name in SECRET_NAMES
                or (
                    isinstance(field.widget, forms.PasswordInput)
                    and not field_name.startswith("new_password")
                )
                for field_name, field in fields.items()
            )
            if secret:
                found.add(f"{module_name}.{name}")
    return found - NOT_IDENTITY_CHECKS


@pytest.fixture
def refusing_guard(monkeypatch):
    """The real guard until armed; armed, it records the call and refuses as a lock would."""
    state = {"armed": False, "calls": []}
    real = guard.check_secret

    def spy(request, **kwargs):
        if not state["armed"]:
            return real(request, **kwargs)
        state["calls"].append(kwargs["account"])
        return guard.Verdict(False, LOCKED, locked=True)

    monkeypatch.setattr(guard, "check_secret", spy)
    return state


def _sign_in_form(r, arm):
    employee = r.getfixturevalue("employee")
    arm()
    response = english().post(
        f"/{employee.tenant.slug}/sign-in/", {"username": employee.identifier, "password": PASSWORD}
    )
    return employee, LOCKED in errors(response) and response.status_code == 200


def _help_desk_sign_in(r, arm):
    agent = UserFactory(tenant=r.getfixturevalue("coffre"), identifier="555555555555", is_staff=True)
    arm()
    response = english().post(
        f"/{agent.tenant.slug}/admin/login/", {"username": agent.identifier, "password": PASSWORD}
    )
    return agent, LOCKED in errors(response) and response.status_code == 200


def _signed_in(r, user=None):
    user = user or r.getfixturevalue("employee")
    browser = english()
    assert (
        browser.post(
            f"/{user.tenant.slug}/sign-in/", {"username": user.identifier, "password": PASSWORD}
        ).status_code
        == 302
    )
    return user, browser


def _signed_in_prompt(path, data):
    def scenario(r, arm):
        coffre = r.getfixturevalue("coffre")
        coffre.modules = [*coffre.modules, "selfservice"]
        coffre.save()
        user, browser = _signed_in(r)
        arm()
        response = browser.post(f"/{coffre.slug}/{path}", data)
        return user, response.status_code == 200 and LOCKED in errors(response)

    return scenario


def _mailed(path, data, tenant_fixture="coffre", user_kwargs=None):
    def scenario(r, arm):
        from django.core import mail

        tenant = r.getfixturevalue(tenant_fixture)
        policy = tenant.account_settings
        policy.allow_lost_identifier = policy.allow_member_activation = policy.allow_password_reset = True
        policy.save()
        user = UserFactory(tenant=tenant, private_number="588157", **user_kwargs)
        arm()
        response = english().post(f"/{tenant.slug}/{path}", data)
        return user, response.status_code == 200 and not mail.outbox

    return scenario


LOST_DATA = {
    "last_name": "DUPRE",
    "first_name": "paul",
    "birth_town": "trois rivieres",
    "birth_month": "6",
    "mobile_phone": "(514) 555-0142",
    "email": "lost@coffre.test",
    "email_confirm": "lost@coffre.test",
    "private_number": "588 157",
    "consent": "on",
}
LOST_USER = {
    "identifier": "333333333333",
    "email": "lost@coffre.test",
    "first_name": "Paul",
    "last_name": "Dupré",
    "birth_town": "Trois-Rivières",
    "birth_month": 6,
    "mobile_phone": "514 555 0142",
}


def _self_service_step(start, step, data, user_fixture="camille", identifier=None, device=False):
    def scenario(r, arm):
        user = r.getfixturevalue(user_fixture)
        code = current_code(add_device(user)) if device else None
        browser = english()
        base = f"/{user.tenant.slug}/self-service/"
        browser.post(base + start, {"identifier": identifier or user.identifier})
        browser.get(base + "password/forgot/next/")
        arm()
        response = browser.post(base + step, {**data, **({"code": code} if device else {})})
        return user, response.status_code == 200 and LOCKED in errors(response)

    return scenario


def _identity(r, arm):
    user = r.getfixturevalue("alex")
    browser = english()
    base = f"/{user.tenant.slug}/self-service/identifier/"
    browser.get(base + "forgot/")
    arm()
    response = browser.post(base + "forgot/identity/", IDENTITY)
    return user, response.status_code == 200 and LOCKED in errors(response)


def _mail_code(r, arm):
    from django.core import mail

    from tests.accounts.selfservice.conftest import give_answers

    r.getfixturevalue("db")
    strict = make_tenant("strict-g")
    user = UserFactory(tenant=strict, identifier="S1", email="s1@example.org")
    give_answers(user, {0: "Éléphant", 1: "Gaspé", 2: "Rouge"})
    browser = english()
    base = f"/{strict.slug}/self-service/password/forgot/"
    browser.post(base, {"identifier": "S1"})
    browser.get(base + "next/")
    with r.getfixturevalue("django_capture_on_commit_callbacks")(execute=True):
        assert browser.post(base + "questions/", RIGHT)["Location"].endswith("/code/")
    code = next(word for word in mail.outbox[-1].body.split() if word.isdigit() and len(word) == 8)
    arm()
    response = browser.post(base + "code/", {"code": code})
    return user, response.status_code == 200 and LOCKED in errors(response)


def _link(r, arm):
    camille = r.getfixturevalue("camille")
    other = make_tenant("autre-g")
    twin = UserFactory(tenant=other, identifier="X42")
    _user, browser = _signed_in(r, camille)
    arm()
    response = browser.post(
        f"/{camille.tenant.slug}/self-service/links/",
        {"tenant": other.pk, "identifier": "X42", "password": PASSWORD},
    )
    return twin, response.status_code == 200 and LOCKED in errors(response)


def _change_passwords(r, arm):
    camille = r.getfixturevalue("camille")
    _user, browser = _signed_in(r, camille)
    arm()
    new = "un tout nouveau mot de passe bien long"
    response = browser.post(
        f"/{camille.tenant.slug}/self-service/passwords/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    return camille, response.status_code == 200 and LOCKED in errors(response)


def _core_device_step(r, arm):
    """The core's device stage of the sign-in (a tenant requiring the device, self-service off)."""
    coffre = r.getfixturevalue("coffre")
    coffre.account_settings.device_policy = "everyone"
    coffre.account_settings.save()
    user = r.getfixturevalue("employee")
    code = current_code(add_device(user))
    browser = english()
    step = browser.post(f"/{coffre.slug}/sign-in/", {"username": user.identifier, "password": PASSWORD})
    assert step["Location"] == f"/{coffre.slug}/sign-in/device/"
    arm()
    response = browser.post(step["Location"], {"code": code})
    refused = response.status_code == 200 and LOCKED in errors(response)
    return user, refused and "_auth_user_id" not in browser.session


def _remove_device(r, arm):
    employee = r.getfixturevalue("employee")
    device = add_device(employee)
    return _signed_in_prompt(f"devices/{device.pk}/remove/", {"password": PASSWORD})(r, arm)


def _caller(r, arm):
    camille = r.getfixturevalue("camille")
    agent = UserFactory(tenant=camille.tenant, identifier="AGENT", is_staff=True)
    _agent, desk = _signed_in(r, agent)
    qid = SecurityAnswer.objects.get(user=camille, purpose="helpdesk").question_id
    arm()
    response = desk.post(
        f"/{camille.tenant.slug}/admin/accounts/user/{camille.pk}/verify-caller/",
        {f"q{qid}": "pate chinois"},
        follow=True,
    )
    return camille, LOCKED in errors(response) and "All answers are right" not in errors(response)


SCENARIOS = {
    "accounts.forms.SignInForm": _sign_in_form,
    "accounts.forms.HelpDeskSignInForm": _help_desk_sign_in,
    "accounts.forms.ChangePasswordForm": _signed_in_prompt(
        "profile/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "Un chemin sous la neige",
            "new_password2": "Un chemin sous la neige",
        },
    ),
    "accounts.forms.ChangeEmailForm": _signed_in_prompt(
        "profile/email/", {"email": "new@coffre.test", "password": PASSWORD}
    ),
    "accounts.forms.LostIdentifierForm": _mailed("identifier/lost/", LOST_DATA, user_kwargs=LOST_USER),
    "accounts.forms.ForgotPasswordForm": _mailed(
        "password/forgot/", {"identifier": "333333333333", "email": "lost@coffre.test"}, user_kwargs=LOST_USER
    ),
    "accounts.forms.MemberActivationForm": _mailed(
        "activate/",
        {"member_number": "912345", "email": "m@coffre.test"},
        user_kwargs={"identifier": "444444444444", "email": "m@coffre.test", "member_number": "912345"},
    ),
    "accounts.selfservice.forms.PasswordStepForm": _self_service_step(
        "sign-in/", "sign-in/password/", {"password": PASSWORD}
    ),
    "accounts.selfservice.forms.AnswersForm": _self_service_step("sign-in/", "sign-in/questions/", RIGHT),
    # One form, two pages: the self-service device proof and the core's device stage of the sign-in.
    "accounts.device_forms.DeviceCodeForm": [
        _self_service_step("sign-in/", "sign-in/device/", {}, device=True),
        _core_device_step,
    ],
    "accounts.selfservice.forms.PinForm": _self_service_step(
        "password/forgot/",
        "password/forgot/pin/",
        {"employee_number": "100200", "pin": "4321"},
        user_fixture="alex",
    ),
    "accounts.selfservice.forms.IdentityForm": _identity,
    "accounts.selfservice.forms.MailCodeForm": _mail_code,
    # One form, two pages: new backup codes and removing a device.
    "accounts.device_forms.ConfirmPasswordForm": [
        _signed_in_prompt("devices/backup-codes/", {"password": PASSWORD}),
        _remove_device,
    ],
    "accounts.device_forms.AddDeviceForm": _signed_in_prompt(
        "devices/add/", {"name": "Phone", "password": PASSWORD}
    ),
    "accounts.selfservice.forms.LinkAccountForm": _link,
    "accounts.selfservice.forms.ChangePasswordsForm": _change_passwords,
    "accounts.selfservice.helpdesk.CallerAnswersForm": _caller,
}


def test_every_form_that_checks_a_secret_has_a_scenario_below():
    missing = forms_that_check_a_secret() - set(SCENARIOS)
    assert not missing, f"a form checks a secret without going through the guard's test: {sorted(missing)}"


# Every page of every form: a form used by several pages has a scenario for each.
PAGES = [
    pytest.param(scenario, id=f"{form}-{n}")
    for form, found in sorted(SCENARIOS.items())
    for n, scenario in enumerate(found if isinstance(found, list) else [found])
]


@pytest.mark.parametrize("scenario", PAGES)
def test_each_secret_form_goes_through_the_guard_and_obeys_its_refusal(request, refusing_guard, scenario):
    """With the guard refusing (as a lock does), the right secret gets nowhere, on every page."""
    user, refused = scenario(request, lambda: refusing_guard.update(armed=True))
    assert refusing_guard["calls"] == [user], "one call to the guard, for the account named"
    assert refused
