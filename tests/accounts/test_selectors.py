"""The reads on accounts that several pages share."""

from accounts.selectors import audit_entries_about
from portal.audit import record_audit
from tests.factories import UserFactory


def test_the_audit_history_of_a_person_is_theirs_on_their_tenant_newest_first(user_a, user_b, staff_a):
    other = UserFactory(tenant=user_a.tenant, identifier="A000002")
    record_audit(tenant=user_a.tenant, actor=user_a, action="account.password_changed", target=user_a)
    record_audit(tenant=user_a.tenant, actor=staff_a, action="selfservice.questions_changed", target=user_a)
    record_audit(tenant=user_a.tenant, actor=user_a, action="account.language_changed", target=user_a)
    record_audit(tenant=user_a.tenant, actor=other, action="account.password_changed", target=other)
    # The same primary key on another tenant, and the tenant itself as a target, are not about user_a.
    record_audit(tenant=user_b.tenant, actor=user_b, action="account.password_changed", target=user_b)
    record_audit(tenant=user_a.tenant, actor=staff_a, action="tenant.created", target=user_a.tenant)

    entries = list(audit_entries_about(tenant=user_a.tenant, target=user_a))

    assert [e.action for e in entries] == [
        "account.language_changed",
        "selfservice.questions_changed",
        "account.password_changed",
    ]
    assert all(e.target_id == str(user_a.pk) and e.tenant_id == user_a.tenant_id for e in entries)


def test_the_audit_history_narrows_to_named_actions_or_a_family_of_them(user_a):
    for action in ["account.password_changed", "selfservice.questions_changed", "selfservice.device_added"]:
        record_audit(tenant=user_a.tenant, actor=user_a, action=action, target=user_a)

    def about(actions):
        entries = audit_entries_about(tenant=user_a.tenant, target=user_a, actions=actions)
        return sorted(e.action for e in entries)

    assert about(["selfservice."]) == ["selfservice.device_added", "selfservice.questions_changed"]
    assert about(["account.password_changed"]) == ["account.password_changed"]
    assert about([]) == []


def test_the_sign_in_s_account_is_the_row_as_the_orm_reads_it_and_only_on_its_tenant(user_a, user_b):
    """The sign-in reads the account with its own SQL (accounts.selectors._sign_in_accounts): every
    field typed as the ORM types it (dates, booleans, on SQLite as on PostgreSQL), the row saved back
    as a row that exists, and another tenant's account with the same identifier never found."""
    from django.utils import timezone

    from accounts.models import User
    from accounts.selectors import user_for_sign_in

    User.objects.filter(pk=user_a.pk).update(last_login=timezone.now(), email_verified=True)
    expected = User.objects.get(pk=user_a.pk)
    found = user_for_sign_in(tenant=user_a.tenant, identifier=f"  {user_a.identifier} ")
    assert type(found) is User and not found._state.adding and found._state.db == "default"
    for field in User._meta.concrete_fields:
        value = getattr(found, field.attname)
        assert value == getattr(expected, field.attname), field.name
        assert type(value) is type(getattr(expected, field.attname)), field.name
    found.first_name = "Renamed"
    found.save(update_fields=["first_name"])
    assert User.objects.get(pk=user_a.pk).first_name == "Renamed"
    UserFactory(tenant=user_b.tenant, identifier="B777777")
    assert user_for_sign_in(tenant=user_a.tenant, identifier="B777777") is None
