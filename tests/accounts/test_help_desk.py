"""The help desk's credential actions (docs/journeys.md#helpdesk): unlock, send a reset link, require
a new password, see an account's audit history. Staff never see or set a password."""

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


def _person_form(user, **changes):
    form = {
        "identifier": user.identifier,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "preferred_language": user.preferred_language,
        "is_active": "on",
    }
    return {**form, **changes}


def test_the_help_desk_sees_and_corrects_the_member_number_and_the_identity_on_file(desk, submit, tenant_a):
    from accounts.models import IdentityRecord, Membership, check_private_number

    paul = UserFactory(
        tenant=tenant_a,
        identifier="PAUL",
        member_number="912345",
        birth_town="Trois-Rivières",
        birth_month=6,
        mobile_phone="514 555 0142",
        private_number="588157",
    )
    page = desk.get(f"{USERS}{paul.pk}/change/").content.decode()
    assert 'value="912345"' in page and 'value="Trois-Rivières"' in page and 'value="514 555 0142"' in page
    assert "private_number" not in page

    changed = _person_form(
        paul, member_number="912 346", birth_town="Québec", birth_month="7", mobile_phone=""
    )
    assert submit(f"{USERS}{paul.pk}/change/", changed).status_code == 302

    assert Membership.objects.for_tenant(tenant_a).get(user=paul).member_number == "912346"
    record = IdentityRecord.objects.for_tenant(tenant_a).get(user=paul)
    assert (record.birth_town, record.birth_month, record.mobile_phone) == ("Québec", 7, "")
    assert check_private_number(record, "588157")  # no desk sets or clears it
    entry = AuditEntry.objects.for_tenant(tenant_a).get(action="admin.object_changed", target_id=str(paul.pk))
    assert entry.details == {"fields": ["birth_month", "birth_town", "member_number", "mobile_phone"]}

    cleared = _person_form(paul, member_number="", birth_town="Québec", birth_month="7")
    submit(f"{USERS}{paul.pk}/change/", cleared)
    assert not Membership.objects.for_tenant(tenant_a).filter(user=paul).exists()


def test_a_member_number_of_another_person_gets_a_message(desk, submit, tenant_a, tenant_b):
    from accounts.models import Membership

    UserFactory(tenant=tenant_a, identifier="FIRST", member_number="912345")
    UserFactory(tenant=tenant_b, identifier="ELSEWHERE", member_number="912999")
    second = UserFactory(tenant=tenant_a, identifier="SECOND")
    response = submit(f"{USERS}{second.pk}/change/", _person_form(second, member_number="912345"))
    assert response.status_code == 200
    assert "Another person of this tenant has this member number." in response.content.decode()
    assert not Membership.objects.for_tenant(tenant_a).filter(user=second).exists()
    # Another tenant's member numbers are not this tenant's business.
    allowed = submit(f"{USERS}{second.pk}/change/", _person_form(second, member_number="912999"))
    assert allowed.status_code == 302
    assert Membership.objects.for_tenant(tenant_a).get(user=second).member_number == "912999"


def test_the_persons_page_shows_their_latest_history_and_nobody_elses(
    desk, tenant_a, tenant_b, user_a, user_b
):
    from portal.audit import record_audit

    record_audit(tenant=tenant_a, actor=None, action="account.locked", target=user_a)
    someone = UserFactory(tenant=tenant_a, identifier="SOMEONE")
    record_audit(tenant=tenant_a, actor=None, action="account.enrolled", target=someone)
    record_audit(tenant=tenant_b, actor=None, action="account.password_reset", target=user_b)
    page = desk.get(f"{USERS}{user_a.pk}/change/").content.decode()
    assert "Account locked after failed attempts" in page
    assert "First sign-in completed" not in page and "Password reset by e-mail link" not in page
