"""Lockout (docs/journeys.md#lockout): counted per identifier whether it exists or not, released by
time, not extended by attempts during the lock, throttled per address, scoped to one tenant."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import Client
from django.utils import timezone

from accounts import lockout
from tests.factories import PASSWORD, UserFactory

WRONG = "Not-The-Password-At-All-1"


def sign_in_page(client, tenant, identifier, password):
    response = client.post(f"/{tenant.slug}/sign-in/", {"username": identifier, "password": password})
    return response


def visible(response) -> str:
    """The page as a person sees it: without the per-request CSRF token, and the typed identifier."""
    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'name="username" value="[^"]*"', "", html)


@pytest.fixture
def employee(coffre):
    return UserFactory(tenant=coffre, identifier="123456789012", email="paul@coffre.test")


class TestLock:
    def test_third_failure_locks_for_the_tenants_duration_and_says_what_to_do_next(
        self, client, coffre, employee
    ):
        for _ in range(2):
            response = sign_in_page(client, coffre, employee.identifier, WRONG)
            assert "incorrect" in response.content.decode()
        response = sign_in_page(client, coffre, employee.identifier, WRONG)
        text = response.content.decode()
        assert response.status_code == 200
        assert "temporarily locked" in text and "120 minutes" in text
        # The lock names no method (it may come from any) and says what to do now.
        lock = text[text.index("temporarily locked") :].split("</p>")[0]
        assert "password" not in lock and "capital letters" not in lock
        assert "help desk" in lock
        # The right password during the lock is refused with the same message.
        response = sign_in_page(client, coffre, employee.identifier, PASSWORD)
        assert "temporarily locked" in response.content.decode()
        assert "_auth_user_id" not in client.session

    def test_the_lock_message_is_in_french_by_default(self, coffre, employee):
        client = Client()
        for _ in range(3):
            response = sign_in_page(client, coffre, employee.identifier, WRONG)
        assert "temporairement bloqué" in response.content.decode()
        assert "120 minutes" in response.content.decode()

    def test_identifier_and_email_share_one_count(self, client, coffre, employee):
        sign_in_page(client, coffre, employee.identifier, WRONG)
        sign_in_page(client, coffre, "PAUL@coffre.test", WRONG)
        response = sign_in_page(client, coffre, "1234 5678 9012", WRONG)
        assert "temporarily locked" in response.content.decode()

    def test_unknown_identifier_gets_the_same_pages(self, client, coffre, employee):
        known = [visible(sign_in_page(client, coffre, employee.identifier, WRONG)) for _ in range(4)]
        unknown = [visible(sign_in_page(client, coffre, "999999999999", WRONG)) for _ in range(4)]
        assert known == unknown
        assert "temporarily locked" in unknown[-1]

    def test_one_password_hash_is_computed_in_every_case(self, client, coffre, employee, monkeypatch):
        calls = []
        original = MD5PasswordHasher.encode
        monkeypatch.setattr(
            MD5PasswordHasher, "encode", lambda self, *a: calls.append(1) or original(self, *a)
        )

        def hashes(identifier, password):
            calls.clear()
            sign_in_page(client, coffre, identifier, password)
            return len(calls)

        assert hashes(employee.identifier, WRONG) == 1  # known, wrong password
        assert hashes("000000000000", WRONG) == 1  # unknown
        for _ in range(3):
            sign_in_page(client, coffre, "111111111111", WRONG)
        assert hashes("111111111111", WRONG) == 1  # locked

    def test_released_after_the_duration_not_extended_by_attempts_during_the_lock(
        self, client, coffre, employee
    ):
        start = timezone.now()
        with time_machine.travel(start, tick=False):
            for _ in range(3):
                sign_in_page(client, coffre, employee.identifier, WRONG)
        with time_machine.travel(start + timedelta(minutes=100), tick=False):
            response = sign_in_page(client, coffre, employee.identifier, WRONG)
            assert "Try again in 20 minutes" in response.content.decode()
        with time_machine.travel(start + timedelta(minutes=121), tick=False):
            response = sign_in_page(client, coffre, employee.identifier, PASSWORD)
            assert response.status_code == 302
            assert client.session["_auth_user_id"] == str(employee.pk)

    def test_failures_older_than_the_window_start_a_new_count(self, client, coffre, employee):
        start = timezone.now()
        with time_machine.travel(start, tick=False):
            sign_in_page(client, coffre, employee.identifier, WRONG)
            sign_in_page(client, coffre, employee.identifier, WRONG)
        with time_machine.travel(start + timedelta(minutes=121), tick=False):
            response = sign_in_page(client, coffre, employee.identifier, WRONG)
            assert "incorrect" in response.content.decode()

    def test_a_successful_sign_in_clears_the_count(self, client, coffre, employee):
        sign_in_page(client, coffre, employee.identifier, WRONG)
        sign_in_page(client, coffre, employee.identifier, WRONG)
        assert sign_in_page(client, coffre, employee.identifier, PASSWORD).status_code == 302
        client.post(f"/{coffre.slug}/sign-out/")
        response = sign_in_page(client, coffre, employee.identifier, WRONG)
        assert "incorrect" in response.content.decode()

    def test_a_lock_on_tenant_a_has_no_effect_on_tenant_b(self, client, tenant_a, tenant_b):
        alice = UserFactory(tenant=tenant_a, identifier="SAME01")
        UserFactory(tenant=tenant_b, identifier="SAME01")
        tenant_a.account_settings.lockout_threshold = 2
        tenant_a.account_settings.save()
        for _ in range(2):
            sign_in_page(client, tenant_a, alice.identifier, WRONG)
        assert "temporarily locked" in sign_in_page(client, tenant_a, "SAME01", PASSWORD).content.decode()
        assert sign_in_page(client, tenant_b, "SAME01", PASSWORD).status_code == 302

    def test_the_lock_is_recorded_in_the_accounts_history_and_its_owner_is_told(
        self, client, coffre, employee, django_capture_on_commit_callbacks, mailoutbox
    ):
        from portal.models import AuditEntry

        with django_capture_on_commit_callbacks(execute=True):
            for _ in range(3):
                sign_in_page(client, coffre, employee.identifier, WRONG)
        actions = list(
            AuditEntry.objects.for_tenant(coffre)
            .filter(target_id=str(employee.pk))
            .values_list("action", flat=True)
        )
        assert actions.count("auth.sign_in_failed") == 3 and "account.locked" in actions
        [notice] = mailoutbox
        assert notice.to == [employee.email] and "bloqué" in notice.subject

    def test_what_was_typed_as_an_unknown_identifier_is_never_stored(self, client, coffre):
        from accounts.models import SignInLock
        from portal.models import AuditEntry

        sign_in_page(client, coffre, "my-secret-password-typed-here", WRONG)
        stored = str(list(SignInLock.objects.values())) + str(list(AuditEntry.objects.values()))
        assert "my-secret-password" not in stored


class TestAddressThrottle:
    def test_one_address_cannot_sweep_many_accounts(self, client, coffre, settings):
        settings.PORTAIL_FAILURES_PER_ADDRESS = 5
        for n in range(5):
            response = sign_in_page(client, coffre, f"10000000000{n}", WRONG)
            assert "incorrect" in response.content.decode()
        response = sign_in_page(client, coffre, "100000000009", WRONG)
        assert "Too many failed attempts from your connection" in response.content.decode()

    def test_another_address_is_not_affected(self, client, coffre, employee, settings):
        settings.PORTAIL_FAILURES_PER_ADDRESS = 2
        for n in range(2):
            sign_in_page(client, coffre, f"20000000000{n}", WRONG)
        response = client.post(
            f"/{coffre.slug}/sign-in/",
            {"username": employee.identifier, "password": PASSWORD},
            REMOTE_ADDR="203.0.113.9",
        )
        assert response.status_code == 302


class TestLifting:
    def lock(self, client, coffre, employee):
        for _ in range(3):
            sign_in_page(client, coffre, employee.identifier, WRONG)
        assert lockout.current_state(coffre, lockout.lock_key(coffre, user=employee)).locked

    def test_help_desk_unlocks(self, client, coffre, employee):
        self.lock(client, coffre, employee)
        staff = UserFactory(tenant=coffre, identifier="900000000001", is_staff=True)
        client = Client()  # the agent reads French, the tenant's first language
        client.force_login(staff)
        response = client.post(
            f"/{coffre.slug}/admin/accounts/user/",
            {"action": "unlock_accounts", "_selected_action": [employee.pk]},
            follow=True,
        )
        assert "1 compte débloqué." in response.content.decode()
        client.logout()
        assert sign_in_page(client, coffre, employee.identifier, PASSWORD).status_code == 302

    def test_sign_in_page_shows_hint_notice_help_desk_and_recovery_links(self, client, coffre):
        page = Client().get(f"/{coffre.slug}/sign-in/").content.decode()
        assert "Où le trouver" in page and "lettre d’enrôlement" in page
        assert "Usage réservé aux salariés autorisés." in page
        assert "1-800-555-0199" in page
        assert f"/{coffre.slug}/password/forgot/" in page and f"/{coffre.slug}/identifier/lost/" in page
        assert f"/{coffre.slug}/activate/" not in page  # not enabled on this tenant


def test_stale_counters_are_purged_and_live_ones_kept(coffre, employee):
    from accounts.models import SignInLock
    from accounts.tasks import purge_stale_sign_in_locks

    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(3):
            lockout.register_failure(coffre, lockout.lock_key(coffre, user=employee))  # locked 120 min
        lockout.register_failure(coffre, lockout.lock_key(coffre, identifier="999999999999"))
    with time_machine.travel(start + timedelta(minutes=60), tick=False):
        lockout.register_failure(coffre, lockout.lock_key(coffre, identifier="888888888888"))
        assert purge_stale_sign_in_locks() == 0
    with time_machine.travel(start + timedelta(minutes=150), tick=False):
        # The lock is over and the first unknown count is older than the window; the second is not.
        assert purge_stale_sign_in_locks.delay().get() == 2
        assert SignInLock.objects.for_tenant(coffre).count() == 1


def test_a_sign_in_costs_a_fixed_number_of_queries(client, coffre, employee, django_assert_max_num_queries):
    """The account is looked up once, the attempt is reserved before the password is checked and
    cleared after it (accounts/guard.py), and a new session is written once (accounts/sessions.py)."""
    client.get(f"/{coffre.slug}/sign-in/")
    with django_assert_max_num_queries(9):
        response = sign_in_page(client, coffre, employee.identifier, PASSWORD)
    assert response.status_code == 302
    assert client.session.session_key and client.session["_auth_user_id"] == str(employee.pk)


def test_an_existing_session_is_still_rotated_at_sign_in(client, coffre, employee):
    session = client.session
    session["planted"] = True
    session.save()
    planted = session.session_key
    client.cookies["sessionid"] = planted
    sign_in_page(client, coffre, employee.identifier, PASSWORD)
    assert client.session.session_key != planted
    assert client.session["planted"] is True  # what was there is kept, under the new key
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=planted).exists()
