"""Profile (docs/journeys.md#profile), first sign-in on the vault (#first), forced password change
(#forced), and the session limits (#signin-session-limits)."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from portal.models import AuditEntry
from tests.factories import PASSWORD, UserFactory

from .conftest import link_path

NEW_PASSWORD = "Une tasse de thé au bord du fleuve"


@pytest.fixture
def user_a(user_a):
    """Alice reads the portal in English here (signing in switches to the account's language)."""
    user_a.preferred_language = "en"
    user_a.save()
    return user_a


@pytest.fixture
def signed_in(client, user_a, sign_in):
    sign_in(user_a)
    return client


class TestProfile:
    def test_profile_is_in_the_name_menu_and_shows_unverified_email_in_red(self, signed_in, user_a):
        home = signed_in.get("/alpha/").content.decode()
        assert 'href="/alpha/profile/"' in home
        signed_in.cookies["django_language"] = "fr-ca"
        page = signed_in.get("/alpha/profile/").content.decode()
        assert user_a.email in page
        assert 'class="status-bad"' in page and "Courriel non vérifié" in page
        assert "Envoyer le courriel de vérification" in page

    def test_verification_mail_and_link(self, signed_in, submit, confirm_email, user_a, mailoutbox):
        submit("/alpha/profile/email/verify/", {})
        [message] = mailoutbox
        path = link_path(message)
        # Opening the link changes nothing (mail scanners open links); the button does.
        signed_in.get(path)
        user_a.refresh_from_db()
        assert not user_a.email_verified
        confirm_email(path)
        user_a.refresh_from_db()
        assert user_a.email_verified
        assert "status-bad" not in signed_in.get("/alpha/profile/").content.decode()
        assert "This link no longer works" in signed_in.get(path).content.decode()

    def test_change_email_confirmed_by_the_new_address_with_a_notice_to_the_old(
        self, signed_in, submit, confirm_email, user_a, mailoutbox
    ):
        old = user_a.email
        bad = submit("/alpha/profile/email/", {"email": "new@home.test", "password": "wrong"})
        assert "Your current password is incorrect." in bad.content.decode()
        submit("/alpha/profile/email/", {"email": "New@Home.test", "password": PASSWORD})
        user_a.refresh_from_db()
        assert user_a.email == old and user_a.pending_email == "new@home.test"
        to = {m.to[0]: m for m in mailoutbox}
        assert set(to) == {"new@home.test", old}
        assert "/email/confirm/" in to["new@home.test"].body
        # The old address is told, with the new one named and no link to act on.
        assert "new@home.test" in to[old].body and "http" not in to[old].body
        confirm_email(link_path(to["new@home.test"]))
        user_a.refresh_from_db()
        assert user_a.email == "new@home.test" and user_a.email_verified and not user_a.pending_email
        assert mailoutbox[-1].to == [old]  # "your address was changed"

    def test_change_password_needs_the_current_one_and_ends_other_sessions(
        self, signed_in, submit, user_a, mailoutbox
    ):
        other = Client()
        other.force_login(user_a)
        assert other.get("/alpha/profile/").status_code == 200
        wrong = submit(
            "/alpha/profile/password/",
            {"old_password": "nope", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        )
        assert wrong.status_code == 200
        done = submit(
            "/alpha/profile/password/",
            {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        )
        assert done.status_code == 302
        assert signed_in.get("/alpha/profile/").status_code == 200  # this session stays
        assert other.get("/alpha/profile/").status_code == 302  # the other one ended
        assert mailoutbox[-1].to == [user_a.email]
        assert "1-800-555-0199" in mailoutbox[-1].body

    def test_the_last_passwords_cannot_be_reused(self, signed_in, submit, user_a):
        submit(
            "/alpha/profile/password/",
            {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        )
        again = submit(
            "/alpha/profile/password/",
            {"old_password": NEW_PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD},
        )
        assert "one of your last" in again.content.decode()

    def test_password_page_lists_the_rules(self, signed_in):
        page = signed_in.get("/alpha/profile/password/").content.decode()
        assert 'data-check="length"' in page and "password-rules.js" in page

    def test_language_is_saved_and_history_lists_security_changes(self, signed_in, user_a, submit):
        submit("/alpha/profile/language/", {"preferred_language": "en"})
        user_a.refresh_from_db()
        assert user_a.preferred_language == "en"
        page = signed_in.get("/alpha/profile/").content.decode()
        assert "Language changed" in page and "Signed in" in page

    def test_history_shows_only_this_accounts_entries(self, signed_in, user_a, tenant_a):
        someone = UserFactory(tenant=tenant_a, identifier="OTHER1")
        AuditEntry.objects.create(
            tenant=tenant_a,
            action="account.password_changed",
            target_type="accounts.user",
            target_id=str(someone.pk),
            target_label="other",
        )
        page = signed_in.get("/alpha/profile/").content.decode()
        assert "Password changed" not in page

    def test_profile_needs_sign_in(self, client, tenant_a):
        response = client.get("/alpha/profile/")
        assert response.status_code == 302 and "/alpha/sign-in/" in response["Location"]


class TestFirstSignIn:
    @pytest.fixture
    def newcomer(self, coffre):
        return UserFactory(
            tenant=coffre,
            identifier="222222222222",
            email="",
            enrolment_pending=True,
            password="Provisional-Secret-7Q4",
        )

    def test_a_newcomer_gives_an_email_and_a_password_before_anything_else(
        self, client, submit, confirm_email, coffre, newcomer, mailoutbox
    ):
        response = client.post(
            f"/{coffre.slug}/sign-in/", {"username": "222222222222", "password": "Provisional-Secret-7Q4"}
        )
        assert response.status_code == 302
        assert client.get(f"/{coffre.slug}/")["Location"] == f"/{coffre.slug}/welcome/"
        assert client.get(f"/{coffre.slug}/profile/")["Location"] == f"/{coffre.slug}/welcome/"
        bad = submit(
            f"/{coffre.slug}/welcome/",
            {
                "email": "me@home.test",
                "email_confirm": "me@home.test",
                "new_password1": "short",
                "new_password2": "short",
            },
        )
        assert bad.status_code == 200 and 'value="me@home.test"' in bad.content.decode()
        done = submit(
            f"/{coffre.slug}/welcome/",
            {
                "email": "me@home.test",
                "email_confirm": "me@home.test",
                "new_password1": NEW_PASSWORD,
                "new_password2": NEW_PASSWORD,
            },
        )
        assert done["Location"] == f"/{coffre.slug}/welcome/check-mail/"
        assert client.get(f"/{coffre.slug}/")["Location"] == f"/{coffre.slug}/welcome/"
        [message] = [m for m in mailoutbox if m.to == ["me@home.test"]]
        confirm_email(link_path(message))
        newcomer.refresh_from_db()
        assert not newcomer.enrolment_pending and newcomer.email == "me@home.test" and newcomer.email_verified
        assert client.get(f"/{coffre.slug}/").status_code == 200
        # The personal e-mail is now a second identifier (docs/journeys.md#first-done).
        client.post(f"/{coffre.slug}/sign-out/")
        again = client.post(
            f"/{coffre.slug}/sign-in/", {"username": "me@home.test", "password": NEW_PASSWORD}
        )
        assert again.status_code == 302

    def test_a_mistyped_address_can_be_replaced_while_waiting(
        self, client, submit, coffre, newcomer, mailoutbox
    ):
        client.force_login(newcomer)
        submit(
            f"/{coffre.slug}/welcome/",
            {
                "email": "typo@home.test",
                "email_confirm": "typo@home.test",
                "new_password1": NEW_PASSWORD,
                "new_password2": NEW_PASSWORD,
            },
        )
        submit(f"/{coffre.slug}/welcome/check-mail/", {"email": "right@home.test"})
        newcomer.refresh_from_db()
        assert newcomer.pending_email == "right@home.test"
        assert mailoutbox[-1].to == ["right@home.test"]
        # The first link no longer works: it was for the other address.
        [first] = [m for m in mailoutbox if m.to == ["typo@home.test"]]
        assert "This link no longer works" in client.get(link_path(first)).content.decode()


class TestForcedPasswordChange:
    def test_help_desk_asks_and_the_person_chooses_at_next_sign_in(
        self, client, submit, user_a, staff_a, sign_in
    ):
        client.force_login(staff_a)
        submit(
            "/alpha/admin/accounts/user/",
            {"action": "require_password_change", "_selected_action": [user_a.pk]},
        )
        client.post("/alpha/sign-out/")
        sign_in(user_a)
        assert client.get("/alpha/")["Location"] == "/alpha/password/new/"
        submit("/alpha/password/new/", {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
        assert client.get("/alpha/").status_code == 200


class TestSessionLimits:
    def test_the_session_key_changes_at_sign_in_and_the_session_ends_at_sign_out(
        self, client, user_a, sign_in
    ):
        client.get("/alpha/sign-in/")
        client.session.save()
        before = client.session.session_key
        sign_in(user_a)
        assert client.session.session_key != before
        client.post("/alpha/sign-out/")
        assert "_auth_user_id" not in client.session
        assert client.get("/alpha/profile/").status_code == 302

    def test_signed_out_after_the_tenants_idle_time(self, client, user_a, sign_in):
        start = timezone.now()
        with time_machine.travel(start, tick=False):
            sign_in(user_a)
        with time_machine.travel(start + timedelta(minutes=59), tick=False):
            assert client.get("/alpha/profile/").status_code == 200
        with time_machine.travel(start + timedelta(minutes=59 + 61), tick=False):
            response = client.get("/alpha/profile/", follow=True)
            assert response.redirect_chain[0][0].startswith("/alpha/sign-in/")
            assert "without activity" in response.content.decode()
            assert "_auth_user_id" not in client.session

    def test_signed_out_after_the_absolute_limit_even_when_active(self, client, user_a, sign_in):
        start = timezone.now()
        with time_machine.travel(start, tick=False):
            sign_in(user_a)
        for half_hours in range(1, 48):
            with time_machine.travel(start + timedelta(minutes=30 * half_hours), tick=False):
                assert client.get("/alpha/profile/").status_code == 200
        with time_machine.travel(start + timedelta(hours=24, minutes=1), tick=False):
            response = client.get("/alpha/profile/", follow=True)
            assert "time limit" in response.content.decode()

    def test_the_tenant_sets_the_idle_time(self, client, user_a, sign_in, tenant_a):
        tenant_a.account_settings.session_idle_minutes = 10
        tenant_a.account_settings.save()
        start = timezone.now()
        with time_machine.travel(start, tick=False):
            sign_in(user_a)
        with time_machine.travel(start + timedelta(minutes=11), tick=False):
            assert client.get("/alpha/profile/").status_code == 302


def test_platform_pages_are_not_gated_by_tenant_flags(client, db):
    from accounts.models import User

    admin = User.objects.create_superuser("root-test", "root@example.test", PASSWORD)
    admin.must_change_password = True
    admin.save()
    client.force_login(admin)
    assert client.get("/admin/").status_code == 200
