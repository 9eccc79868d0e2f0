"""Recovery by mail (docs/journeys.md#reset, #lostid, #activate, #register-email): same answer whether
or not an account matches, mail on commit with a single-use link built from the portal's own address."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.models import EmailRegistration
from tests.factories import PASSWORD, TenantFactory, UserFactory

from .conftest import link_path

NEW_PASSWORD = "Un chemin de traverse sous la neige"


def visible(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


@pytest.fixture
def employee(coffre):
    user = UserFactory(
        tenant=coffre,
        identifier="123456789012",
        email="paul@coffre.test",
        first_name="Paul",
        last_name="Dupré",
        birth_town="Trois-Rivières",
        birth_month=6,
        mobile_phone="514 555 0142",
    )
    user.set_private_number("588157")
    user.save()
    return user


def forgot(submit, tenant, identifier, email, **extra):
    return submit(f"/{tenant.slug}/password/forgot/", {"identifier": identifier, "email": email}, **extra)


class TestForgotPassword:
    def test_the_whole_journey(self, client, submit, coffre, employee, mailoutbox):
        response = forgot(submit, coffre, "123456789012", "Paul@Coffre.test")
        assert "If the information matches an account" in response.content.decode()
        [message] = mailoutbox
        assert message.to == ["paul@coffre.test"]
        path = link_path(message)
        assert path.startswith(f"/{coffre.slug}/password/reset/")
        # Django's view moves the token out of the address bar before showing the form.
        response = client.get(path)
        assert response.status_code == 302 and response["Referrer-Policy"] == "no-referrer"
        form_page = client.get(response["Location"])
        token = path.rstrip("/").rsplit("/", 1)[-1]
        assert token not in response["Location"]
        # The page itself keeps the same-origin policy, so its form posts with a real Origin header.
        assert form_page["Referrer-Policy"] == "same-origin"
        assert 'name="new_password1"' in form_page.content.decode()
        response = submit(
            response["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True
        )
        assert "Sign in with it now" in response.content.decode()
        assert response.redirect_chain[-1][0] == f"/{coffre.slug}/sign-in/"
        # A notice reaches the account: "your password was changed".
        notice = mailoutbox[-1]  # in the account's language, French
        assert notice.to == ["paul@coffre.test"] and notice.subject == "Votre mot de passe a été changé"
        response = client.post(
            f"/{coffre.slug}/sign-in/", {"username": "123456789012", "password": NEW_PASSWORD}
        )
        assert response.status_code == 302

    def test_same_page_and_no_mail_when_the_pair_does_not_match(self, submit, coffre, employee, mailoutbox):
        known = forgot(submit, coffre, "123456789012", "paul@coffre.test")
        wrong_mail = forgot(submit, coffre, "123456789012", "someone@else.test")
        unknown = forgot(submit, coffre, "999999999999", "paul@coffre.test")
        assert visible(known) == visible(wrong_mail) == visible(unknown)
        assert len(mailoutbox) == 1

    def test_no_mail_leaves_inside_the_request(
        self, client, coffre, employee, mailoutbox, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            client.post(
                f"/{coffre.slug}/password/forgot/",
                {"identifier": "123456789012", "email": "paul@coffre.test"},
            )
        assert mailoutbox == [] and len(callbacks) == 1

    def test_the_link_comes_from_the_portals_address_never_the_host_header(
        self, submit, coffre, employee, mailoutbox, settings
    ):
        settings.ALLOWED_HOSTS = ["*"]
        forgot(submit, coffre, "123456789012", "paul@coffre.test", HTTP_HOST="evil.example")
        assert "evil.example" not in mailoutbox[0].body
        assert f"{settings.PORTAIL_BASE_URL}/{coffre.slug}/password/reset/" in mailoutbox[0].body

    def test_a_link_works_once(self, client, submit, coffre, employee, mailoutbox):
        forgot(submit, coffre, "123456789012", "paul@coffre.test")
        path = link_path(mailoutbox[0])
        form_url = client.get(path)["Location"]
        submit(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
        again = client.get(path, follow=True)
        assert "This link no longer works" in again.content.decode()

    def test_a_link_expires_after_one_hour(self, client, submit, coffre, employee, mailoutbox):
        start = timezone.now()
        with time_machine.travel(start, tick=False):
            forgot(submit, coffre, "123456789012", "paul@coffre.test")
        with time_machine.travel(start + timedelta(minutes=61), tick=False):
            page = client.get(link_path(mailoutbox[0]), follow=True)
            assert "This link no longer works" in page.content.decode()

    def test_a_link_dies_when_the_password_changes(self, client, submit, coffre, employee, mailoutbox):
        forgot(submit, coffre, "123456789012", "paul@coffre.test")
        employee.set_password("Another password entirely 42")
        employee.save()
        page = client.get(link_path(mailoutbox[0]), follow=True)
        assert "This link no longer works" in page.content.decode()

    def test_a_link_of_tenant_a_does_nothing_on_tenant_b(self, client, submit, coffre, employee, mailoutbox):
        other = TenantFactory(slug="other-org")
        forgot(submit, coffre, "123456789012", "paul@coffre.test")
        path = link_path(mailoutbox[0]).replace(f"/{coffre.slug}/", f"/{other.slug}/")
        page = client.get(path, follow=True)
        assert "This link no longer works" in page.content.decode()

    def test_weak_password_is_refused_with_the_rule_named(self, client, submit, coffre, employee, mailoutbox):
        forgot(submit, coffre, "123456789012", "paul@coffre.test")
        form_url = client.get(link_path(mailoutbox[0]))["Location"]
        response = submit(form_url, {"new_password1": "short", "new_password2": "short"})
        assert response.status_code == 200
        assert "15" in response.content.decode() and "field-error" in response.content.decode()
        employee.refresh_from_db()
        assert employee.check_password(PASSWORD)

    def test_reset_lifts_the_lock_and_ends_every_other_session(
        self, client, submit, coffre, employee, mailoutbox
    ):
        from django.test import Client

        other_device = Client()
        assert (
            other_device.post(
                f"/{coffre.slug}/sign-in/", {"username": "123456789012", "password": PASSWORD}
            ).status_code
            == 302
        )
        for _ in range(3):
            client.post(
                f"/{coffre.slug}/sign-in/", {"username": "123456789012", "password": "wrong-wrong-wrong"}
            )
        forgot(submit, coffre, "123456789012", "paul@coffre.test")
        form_url = client.get(link_path(mailoutbox[0]))["Location"]
        submit(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
        profile = other_device.get(f"/{coffre.slug}/profile/")
        assert profile.status_code == 302 and "/sign-in/" in profile["Location"]
        response = client.post(
            f"/{coffre.slug}/sign-in/", {"username": "123456789012", "password": NEW_PASSWORD}
        )
        assert response.status_code == 302


LOST = {
    "last_name": "DUPRE",
    "first_name": "paul",
    "birth_town": "trois rivieres",
    "birth_month": "6",
    "mobile_phone": "(514) 555-0142",
    "email": "paul@coffre.test",
    "email_confirm": "paul@coffre.test",
    "private_number": "588 157",
    "consent": "on",
}


class TestLostIdentifier:
    url = "/{}/identifier/lost/"

    def test_matching_answers_mail_the_identifier_and_a_link_never_a_password(
        self, client, submit, coffre, employee, mailoutbox
    ):
        response = submit(self.url.format(coffre.slug), LOST)
        assert "If your answers match our file" in response.content.decode()
        [message] = mailoutbox
        assert "123456789012" in message.body and PASSWORD not in message.body
        assert link_path(message).startswith(f"/{coffre.slug}/password/reset/")
        employee.refresh_from_db()
        assert employee.must_change_password
        # Signing in with the old password leads to the new-password page before anything else.
        client.post(f"/{coffre.slug}/sign-in/", {"username": "123456789012", "password": PASSWORD})
        assert client.get(f"/{coffre.slug}/")["Location"] == f"/{coffre.slug}/password/new/"

    @pytest.mark.parametrize(
        "field,value",
        [
            ("private_number", "000000"),
            ("birth_month", "7"),
            ("birth_town", "Paris"),
            ("mobile_phone", "0600000000"),
        ],
    )
    def test_one_wrong_answer_sends_nothing_and_shows_the_same_page(
        self, submit, coffre, employee, mailoutbox, field, value
    ):
        good = submit(self.url.format(coffre.slug), LOST)
        mailoutbox.clear()
        bad = submit(self.url.format(coffre.slug), {**LOST, field: value})
        assert visible(good) == visible(bad)
        assert mailoutbox == []

    def test_every_failed_attempt_counts_towards_the_lockout(
        self, client, submit, coffre, employee, mailoutbox
    ):
        for _ in range(3):
            submit(self.url.format(coffre.slug), {**LOST, "private_number": "111111"})
        response = client.post(f"/{coffre.slug}/sign-in/", {"username": "123456789012", "password": PASSWORD})
        assert "temporarily locked" in response.content.decode()
        mailoutbox.clear()
        submit(self.url.format(coffre.slug), LOST)  # even the right answers wait for the lock
        assert [m for m in mailoutbox if "123456789012" in m.body] == []

    def test_the_form_keeps_what_was_typed_and_explains_each_error(self, submit, coffre, employee):
        response = submit(
            self.url.format(coffre.slug), {**LOST, "email_confirm": "paul@else.test", "consent": ""}
        )
        page = response.content.decode()
        assert "The two e-mail addresses differ." in page and "privacy policy" in page
        assert 'value="Trois' not in page and 'value="trois rivieres"' in page

    def test_tenants_without_the_path_answer_404(self, client, tenant_a):
        assert client.get(f"/{tenant_a.slug}/identifier/lost/").status_code == 404


@pytest.fixture
def syndicat(db):
    return TenantFactory(
        slug="syndicat-test",
        sign_in_with="email",
        modules=["voting"],
        allow_member_activation=True,
        allow_email_registration=True,
        allow_password_reset=True,
    )


class TestMemberActivation:
    def test_member_without_password_activates_with_number_and_email(
        self, client, submit, syndicat, mailoutbox
    ):
        from accounts.models import User

        member = User.objects.create_user(
            tenant=syndicat,
            identifier="nouveau@syndicat.test",
            email="nouveau@syndicat.test",
            member_number="912345",
            last_name="Nouveau",
        )
        assert not member.has_usable_password()
        # The member number is never a password.
        refused = client.post(
            f"/{syndicat.slug}/sign-in/", {"username": member.identifier, "password": "912345"}
        )
        assert refused.status_code == 200
        submit(f"/{syndicat.slug}/activate/", {"member_number": "912345", "email": "nouveau@syndicat.test"})
        [message] = mailoutbox
        assert "912345" not in message.body
        form_url = client.get(link_path(message))["Location"]
        page = client.get(form_url).content.decode()
        assert "Choose your password" in page
        refused = submit(form_url, {"new_password1": "912345", "new_password2": "912345"})
        assert refused.status_code == 200
        submit(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
        member.refresh_from_db()
        assert member.check_password(NEW_PASSWORD) and member.email_verified
        signed_in = client.post(
            f"/{syndicat.slug}/sign-in/", {"username": member.identifier, "password": NEW_PASSWORD}
        )
        assert signed_in.status_code == 302

    def test_same_answer_and_no_mail_for_a_wrong_pair(self, submit, syndicat, mailoutbox):
        from accounts.models import User

        User.objects.create_user(
            tenant=syndicat, identifier="a@syndicat.test", email="a@syndicat.test", member_number="911111"
        )
        good = submit(f"/{syndicat.slug}/activate/", {"member_number": "911111", "email": "a@syndicat.test"})
        bad = submit(f"/{syndicat.slug}/activate/", {"member_number": "911112", "email": "a@syndicat.test"})
        assert visible(good) == visible(bad) and len(mailoutbox) == 1


class TestEmailRegistration:
    def test_member_without_email_asks_and_the_help_desk_approves(self, client, submit, syndicat, mailoutbox):
        from accounts.models import User

        member = User.objects.create_user(
            tenant=syndicat,
            identifier="M-913000",
            member_number="913000",
            first_name="Rémi",
            last_name="Sansmail",
        )
        page = submit(
            f"/{syndicat.slug}/register-email/",
            {
                "member_number": "913000",
                "first_name": "Remi",
                "last_name": "SANSMAIL",
                "email": "remi@maison.test",
                "email_confirm": "remi@maison.test",
            },
        )
        assert "Request received" in page.content.decode()
        request = EmailRegistration.objects.for_tenant(syndicat).get()
        assert request.user == member and request.status == "pending"
        staff = UserFactory(tenant=syndicat, identifier="agent@syndicat.test", is_staff=True)
        client.force_login(staff)
        listing = client.get(f"/{syndicat.slug}/admin/accounts/emailregistration/").content.decode()
        assert "remi@maison.test" in listing
        with_commit = submit(
            f"/{syndicat.slug}/admin/accounts/emailregistration/",
            {"action": "approve_registrations", "_selected_action": [request.pk]},
        )
        assert with_commit.status_code == 302
        member.refresh_from_db()
        assert member.email == "remi@maison.test" and not member.email_verified
        [message] = mailoutbox
        assert message.to == ["remi@maison.test"] and "/password/reset/" in message.body

    def test_unknown_member_gets_the_same_page(self, submit, syndicat):
        data = {
            "member_number": "900000",
            "first_name": "X",
            "last_name": "Y",
            "email": "x@y.test",
            "email_confirm": "x@y.test",
        }
        page = submit(f"/{syndicat.slug}/register-email/", data)
        assert "Request received" in page.content.decode()
        assert EmailRegistration.objects.for_tenant(syndicat).get().user is None
