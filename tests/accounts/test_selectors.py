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
