# ruff: noqa: F811  (pytest fixtures are parameters named after the imported fixture)
"""A mailed link's token leaves the address bar at once, and the session keeps only a ticket of it:
the account, the token's time and a keyed digest. A copy of the session store gives no live link, and
the ticket dies with the link (used, password changed, expired)."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import views as auth_views
from django.utils import timezone

from accounts.views import CONFIRM_SESSION_KEY, LEGACY_CONFIRM_SESSION_KEY, RESET_TICKET

from .conftest import link_path
from .test_recovery import NEW_PASSWORD, employee, forgot  # noqa: F401  (employee: a fixture)


def token_of(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1]


def session_text(client) -> str:
    return repr(dict(client.session.items()))


@pytest.fixture
def opened(client, submit, coffre, employee, mailoutbox):
    """The reset link opened: its form page's address, the token, and the link."""
    forgot(submit, coffre, "123456789012", "paul@coffre.test")
    path = link_path(mailoutbox[0])
    form_url = client.get(path)["Location"]
    return form_url, token_of(path), path


def test_the_session_holds_no_live_reset_token(client, submit, opened, employee):
    form_url, token, _path = opened
    assert token not in form_url
    assert token not in session_text(client)
    assert token.split("-", 1)[1] not in session_text(client), "not even the token's signature"
    assert set(client.session[RESET_TICKET]) == {"user_id", "timestamp", "digest"}
    assert auth_views.INTERNAL_RESET_SESSION_TOKEN not in client.session
    page = client.get(form_url)
    assert 'name="new_password1"' in page.content.decode()
    response = submit(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert RESET_TICKET not in client.session
    employee.refresh_from_db()
    assert employee.check_password(NEW_PASSWORD)


def test_the_ticket_dies_when_the_link_is_used_elsewhere(client, submit, opened, employee):
    form_url, _token, _path = opened
    employee.set_password("Another password entirely 42")
    employee.save()
    page = client.get(form_url)
    assert "This link no longer works" in page.content.decode()
    submit(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    employee.refresh_from_db()
    assert not employee.check_password(NEW_PASSWORD)


def test_the_ticket_expires_with_the_link(client, opened):
    form_url, _token, _path = opened
    with time_machine.travel(timezone.now() + timedelta(minutes=61), tick=False):
        assert "This link no longer works" in client.get(form_url).content.decode()


def test_a_ticket_names_its_own_account_only(client, submit, opened, coffre, mailoutbox):
    from tests.factories import UserFactory

    other = UserFactory(tenant=coffre, identifier="999999999999")
    form_url, _token, _path = opened
    from accounts.tokens import uid_for

    forged = form_url.replace(form_url.rstrip("/").split("/")[-2], uid_for(other))
    assert "This link no longer works" in client.get(forged).content.decode()


def test_a_session_from_before_tickets_keeps_working_and_loses_the_token(
    client,
    submit,
    coffre,
    employee,
    mailoutbox,
):
    forgot(submit, coffre, "123456789012", "paul@coffre.test")
    path = link_path(mailoutbox[0])
    form_url = client.get(path)["Location"]
    session = client.session
    del session[RESET_TICKET]
    session[auth_views.INTERNAL_RESET_SESSION_TOKEN] = token_of(path)
    session.save()
    assert 'name="new_password1"' in client.get(form_url).content.decode()
    assert token_of(path) not in session_text(client)


def test_the_session_holds_no_live_confirmation_token(client, submit, user_a, sign_in, mailoutbox):
    sign_in(user_a)
    submit(f"/{user_a.tenant.slug}/profile/email/verify/", {})
    path = link_path(mailoutbox[-1])
    button_page = client.get(path)["Location"]
    assert token_of(path) not in session_text(client)
    assert set(client.session[CONFIRM_SESSION_KEY]) == {"user_id", "timestamp", "digest"}
    assert client.get(button_page).context["valid"]
    submit(button_page, {})
    user_a.refresh_from_db()
    assert user_a.email_verified
    assert not client.get(button_page).context["valid"], "the ticket died with the link"


def test_a_confirmation_session_from_before_tickets_still_confirms(
    client, submit, user_a, sign_in, mailoutbox
):
    sign_in(user_a)
    submit(f"/{user_a.tenant.slug}/profile/email/verify/", {})
    path = link_path(mailoutbox[-1])
    session = client.session
    session[LEGACY_CONFIRM_SESSION_KEY] = token_of(path)
    session.save()
    button_page = path.replace(f"/{token_of(path)}/", "/confirm/")
    assert client.get(button_page).context["valid"]
    assert LEGACY_CONFIRM_SESSION_KEY not in client.session
    assert token_of(path) not in session_text(client)


def test_a_ticket_issued_before_a_data_key_rotation_still_holds(client, opened, settings):
    form_url, _token, _path = opened
    settings.PORTAIL_DATA_KEYS = ["the new data key", *settings.PORTAIL_DATA_KEYS]
    assert 'name="new_password1"' in client.get(form_url).content.decode()
    settings.PORTAIL_DATA_KEYS = ["the new data key"]
    assert "This link no longer works" in client.get(form_url).content.decode()
