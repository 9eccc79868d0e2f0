"""The help desk over a big tenant: an action on many people costs as many queries as on one, and
the people search finds a person by a word of the name, the identifier or the address, whole."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from accounts import lockout
from accounts.models import User
from portal import admin as portal_admin
from portal.models import AuditEntry
from tests.factories import UserFactory

from .test_help_desk_phone import _rows, lock

USERS = "/alpha/admin/accounts/user/"


@pytest.fixture
def desk(client, staff_a):
    client.force_login(staff_a)
    return client


def _unlock(desk, people):
    form = {"action": "unlock_accounts", "_selected_action": [p.pk for p in people]}
    with CaptureQueriesContext(connection) as queries:
        response = desk.post(USERS, form)
    assert response.status_code == 302
    return len(queries)


# The session, the agent, the tenant and its settings, the selection, the locks, one delete, one
# insert of the audit entries, and the transaction.
MAX_QUERIES = 20


@pytest.mark.parametrize("selected", [1, 50])
def test_unlocking_many_people_costs_what_unlocking_one_does(
    desk, tenant_a, django_assert_max_num_queries, selected
):
    people = UserFactory.create_batch(selected, tenant=tenant_a)
    for person in people:
        lock(tenant_a, person)
    form = {"action": "unlock_accounts", "_selected_action": [p.pk for p in people]}
    with django_assert_max_num_queries(MAX_QUERIES):
        assert desk.post(USERS, form).status_code == 302
    keys = [lockout.lock_key(tenant_a, user=p) for p in people]
    assert not any(state.locked for state in lockout.current_states(keys).values())
    entries = AuditEntry.objects.for_tenant(tenant_a).filter(action="account.unlocked")
    assert sorted(entries.values_list("target_id", flat=True)) == sorted(str(p.pk) for p in people)
    assert set(entries.values_list("actor_label", flat=True)) == {"HELP-A"}


def test_the_same_number_of_queries_for_one_and_for_fifty(desk, tenant_a):
    first, one = UserFactory.create_batch(2, tenant=tenant_a)
    fifty = UserFactory.create_batch(50, tenant=tenant_a)
    for person in [first, one, *fifty]:
        lock(tenant_a, person)
    _unlock(desk, [first])  # the session and the tenant's settings are read once per process
    assert _unlock(desk, [one]) == _unlock(desk, fifty)


def test_only_the_locked_are_reported_and_logged(desk, tenant_a):
    locked, free = UserFactory(tenant=tenant_a), UserFactory(tenant=tenant_a)
    lock(tenant_a, locked)
    page = desk.post(
        USERS, {"action": "unlock_accounts", "_selected_action": [locked.pk, free.pk]}, follow=True
    ).content.decode()
    assert "1 account unlocked." in page or "1 compte déverrouillé." in page
    logged = AuditEntry.objects.for_tenant(tenant_a).filter(action="account.unlocked")
    assert list(logged.values_list("target_id", flat=True)) == [str(locked.pk)]


def test_people_are_found_by_a_word_of_the_name_the_identifier_or_the_address(desk, tenant_a):
    UserFactory(
        tenant=tenant_a, identifier="E200001", first_name="Marie", last_name="Tremblay", email="m@t.example"
    )
    UserFactory(tenant=tenant_a, identifier="E200002", first_name="Paul", last_name="Gagnon")
    assert _rows(desk.get(USERS, {"q": "tremblay"})) == ["E200001"]
    assert _rows(desk.get(USERS, {"q": "tremblay marie"})) == ["E200001"]
    assert _rows(desk.get(USERS, {"q": "e200001"})) == ["E200001"]
    assert _rows(desk.get(USERS, {"q": "M@T.example"})) == ["E200001"]
    assert _rows(desk.get(USERS, {"q": "nobody"})) == []


def _list_queries(desk, query=None):
    desk.get(USERS, query or {})  # the session and the tenant's settings are read once per process
    with CaptureQueriesContext(connection) as queries:
        page = desk.get(USERS, query or {})
    assert page.status_code == 200
    return page, len(queries)


@pytest.mark.parametrize("query", [{}, {"q": "tremblay"}, {"is_active__exact": "1"}])
def test_the_people_list_costs_the_same_queries_for_three_people_and_for_three_pages(desk, tenant_a, query):
    UserFactory.create_batch(3, tenant=tenant_a, last_name="Tremblay")
    _, few = _list_queries(desk, query)
    UserFactory.create_batch(150, tenant=tenant_a, last_name="Tremblay")
    page, many = _list_queries(desk, query)
    assert many == few
    assert len(page.context["cl"].result_list) == 50
    assert _list_queries(desk, {**query, "p": "3"})[1] == few


def test_each_row_carries_the_checkbox_the_actions_post(desk, tenant_a):
    person = UserFactory(tenant=tenant_a, identifier="E300001")
    html = desk.get(USERS).content.decode()
    assert f'<input type="checkbox" name="_selected_action" value="{person.pk}" class="action-select"' in html
    lock(tenant_a, person)
    form = {"action": "unlock_accounts", "_selected_action": [person.pk]}
    assert desk.post(USERS, form).status_code == 302
    assert not lockout.current_state(tenant_a, lockout.lock_key(tenant_a, user=person)).locked


def test_selecting_a_whole_estimated_list_says_about(desk, tenant_a, monkeypatch):
    # PostgreSQL's estimate stood in for (SQLite has none); see tests/portal/test_admin_at_scale.py.
    monkeypatch.setattr(portal_admin, "estimated_rows", lambda queryset: 198_734)
    UserFactory.create_batch(60, tenant=tenant_a)
    html = desk.get(USERS).content.decode().replace("\xa0", " ")
    language = html.split('<html lang="', 1)[1][:2]  # the agent's language
    with translation.override(language):
        people, count = str(User._meta.verbose_name_plural), "200 000" if language == "fr" else "200,000"
        select = translation.gettext("Select the whole list (about %(count)s %(name)s)")
        selected = translation.gettext("The whole list is selected (about %(count)s %(name)s)")
    assert select % {"count": count, "name": people} in html
    assert selected % {"count": count, "name": people} in html
    assert "198734" not in html and "200000" not in html
    with translation.override("fr"):
        assert translation.gettext("Select the whole list (about %(count)s %(name)s)").startswith(
            "Sélectionner"
        )
