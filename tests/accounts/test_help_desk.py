"""The help desk's credential actions (docs/journeys.md#helpdesk): unlock, send a reset link, require a
new password, see an account's audit history. Staff never see or set a password."""

import pytest

from accounts import lockout
from portal.models import AuditEntry
from tests.factories import PASSWORD, UserFactory

from .conftest import link_path

USERS = "/alpha/admin/accounts/user/"


@pytest.fixture
def desk(client, staff_a):
    client.force_login(staff_a)
    return client


def act(submit, action, *users):
    return submit(USERS, {"action": action, "_selected_action": [u.pk for u in users]}, follow=True)


def test_change_page_shows_the_lock_and_links_to_the_accounts_history(desk, user_a, tenant_a):
    key = lockout.lock_key(tenant_a, user=user_a)
    for _ in range(tenant_a.account_settings.lockout_threshold):
        lockout.register_failure(tenant_a, key)
    page = desk.get(f"{USERS}{user_a.pk}/change/").content.decode()
    assert "locked for 30 more minutes" in page
    history = f"/alpha/admin/portal/auditentry/?target_type=accounts.user&amp;target_id={user_a.pk}"
    assert history in page
    # The history link lists this account's entries only.
    someone = UserFactory(tenant=tenant_a, identifier="SOMEONE")
    AuditEntry.objects.create(
        tenant=tenant_a,
        action="account.unlocked",
        target_type="accounts.user",
        target_id=str(someone.pk),
        target_label="SOMEONE-LABEL",
    )
    AuditEntry.objects.create(
        tenant=tenant_a,
        action="account.unlocked",
        target_type="accounts.user",
        target_id=str(user_a.pk),
        target_label="ALICE-LABEL",
    )
    listing = desk.get(history.replace("&amp;", "&")).content.decode()
    assert "ALICE-LABEL" in listing and "SOMEONE-LABEL" not in listing


def test_no_password_field_anywhere_in_the_help_desk(desk, user_a):
    for url in (f"{USERS}{user_a.pk}/change/", f"{USERS}add/"):
        page = desk.get(url).content.decode()
        assert 'type="password"' not in page and user_a.password not in page
        assert "private_number" not in page


def test_send_a_reset_link(desk, submit, user_a, mailoutbox):
    response = act(submit, "send_password_links", user_a)
    assert "A password link is on its way to 1 account." in response.content.decode()
    [message] = mailoutbox
    assert message.to == [user_a.email] and link_path(message).startswith("/alpha/password/reset/")
    assert AuditEntry.objects.for_tenant(user_a.tenant).filter(action="account.password_link_sent").exists()


def test_an_account_without_email_is_skipped_with_a_warning(desk, submit, tenant_a, mailoutbox):
    nomail = UserFactory(tenant=tenant_a, identifier="NOMAIL", email="")
    response = act(submit, "send_password_links", nomail)
    assert "1 account has no e-mail address or is inactive." in response.content.decode()
    assert mailoutbox == []


def test_require_a_new_password_is_audited(desk, submit, user_a):
    act(submit, "require_password_change", user_a)
    user_a.refresh_from_db()
    assert user_a.must_change_password
    entry = AuditEntry.objects.for_tenant(user_a.tenant).get(action="account.must_change_password")
    assert entry.actor.identifier == "HELP-A"


def test_actions_never_reach_another_tenants_account(desk, submit, user_b, mailoutbox):
    act(submit, "send_password_links", user_b)
    act(submit, "require_password_change", user_b)
    user_b.refresh_from_db()
    assert mailoutbox == [] and not user_b.must_change_password


def test_help_desk_sign_in_is_locked_like_the_portals(client, staff_a, tenant_a):
    for _ in range(tenant_a.account_settings.lockout_threshold):
        client.post("/alpha/admin/login/", {"username": staff_a.identifier, "password": "wrong-wrong-wrong"})
    response = client.post("/alpha/admin/login/", {"username": staff_a.identifier, "password": PASSWORD})
    assert response.status_code == 200 and "locked" in response.content.decode()


def test_profile_page_queries_do_not_grow_with_history(
    client, user_a, sign_in, django_assert_max_num_queries
):
    sign_in(user_a)
    for _ in range(40):
        AuditEntry.objects.create(
            tenant=user_a.tenant,
            action="auth.signed_in",
            target_type="accounts.user",
            target_id=str(user_a.pk),
        )
    with django_assert_max_num_queries(4):
        page = client.get("/alpha/profile/")
    assert page.content.decode().count("<time ") == 30


def test_an_agent_changes_their_own_password_on_the_profile_page(desk):
    response = desk.get("/alpha/admin/password_change/")
    assert response.status_code == 302 and response["Location"] == "/alpha/profile/password/"
