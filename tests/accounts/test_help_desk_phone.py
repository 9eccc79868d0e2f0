"""An agent on the phone: sees who is locked at a glance, finds "Loïc" by typing "loic", unlocks him
with one button, is asked to confirm before disabling someone's security questions, and a caller who
gives a wrong answer is logged as a failed check."""

import pytest

from accounts import lockout
from accounts.selfservice.models import SecurityAnswer
from portal.models import AuditEntry
from tests.accounts.selfservice.conftest import give_answers, make_tenant
from tests.factories import UserFactory

USERS = "/alpha/admin/accounts/user/"


@pytest.fixture
def desk(client, staff_a):
    client.force_login(staff_a)
    return client


def lock(tenant, user):
    key = lockout.lock_key(tenant, user=user)
    for _ in range(tenant.account_settings.lockout_threshold):
        lockout.register_failure(tenant, key)
    return key


def _rows(response):
    return [str(obj.identifier) for obj in response.context["cl"].result_list]


def test_the_people_list_shows_who_is_locked_in_one_query(
    desk, tenant_a, user_a, django_assert_max_num_queries
):
    people = [UserFactory(tenant=tenant_a, identifier=f"P{n:03d}") for n in range(12)]
    lock(tenant_a, people[3])
    lock(tenant_a, people[7])
    desk.get(USERS)  # warm the caches
    with django_assert_max_num_queries(30) as counted:
        page = desk.get(USERS)
    small = len(counted.captured_queries)
    # One of them reads the locks of the whole page.
    assert sum("accounts_signinlock" in q["sql"] for q in counted.captured_queries) == 1
    more = [UserFactory(tenant=tenant_a, identifier=f"Q{n:03d}") for n in range(10)]
    lock(tenant_a, more[0])
    with django_assert_max_num_queries(small):
        page = desk.get(USERS)
    html = page.content.decode()
    assert html.count("Locked (") == 3
    assert '<th scope="col" class="column-lock">' in html


def test_the_lock_filter_lists_the_locked_people_only(desk, tenant_a, user_a, tenant_b):
    loic = UserFactory(tenant=tenant_a, identifier="LOIC", first_name="Loïc")
    lock(tenant_a, loic)
    elsewhere = UserFactory(tenant=tenant_b, identifier="LOIC-B")
    lock(tenant_b, elsewhere)
    assert _rows(desk.get(USERS, {"lock": "locked"})) == ["LOIC"]
    assert _rows(desk.get(USERS, {"lock": "open"})) == ["A000001"]


@pytest.mark.parametrize("typed", ["loic", "LOIC", "Loïc", "loïc dupré", "dupre"])
def test_search_ignores_accents_and_case(desk, tenant_a, user_a, typed):
    UserFactory(tenant=tenant_a, identifier="E100777", first_name="Loïc", last_name="Dupré")
    UserFactory(tenant=tenant_a, identifier="E100778", first_name="Louis", last_name="Dupont")
    assert _rows(desk.get(USERS, {"q": typed})) == ["E100777"]


def test_a_renamed_person_is_found_by_the_new_name(desk, submit, tenant_a, user_a):
    from .test_help_desk import _person_form

    submit(f"{USERS}{user_a.pk}/change/", _person_form(user_a, first_name="Héloïse"))
    assert _rows(desk.get(USERS, {"q": "heloise"})) == ["A000001"]


def test_one_button_unlocks_the_person(desk, submit, tenant_a, user_a):
    key = lock(tenant_a, user_a)
    page = desk.get(f"{USERS}{user_a.pk}/change/").content.decode()
    assert f'formaction="{USERS}{user_a.pk}/unlock/"' in page
    assert desk.get(f"{USERS}{user_a.pk}/unlock/").status_code == 405
    response = submit(f"{USERS}{user_a.pk}/unlock/", {}, follow=True)
    assert "Alice" in response.content.decode() and "is unlocked" in response.content.decode()
    assert not lockout.current_state(tenant_a, key).locked
    entry = AuditEntry.objects.for_tenant(tenant_a).get(action="account.unlocked")
    assert entry.actor.identifier == "HELP-A" and entry.target_id == str(user_a.pk)
    page = desk.get(f"{USERS}{user_a.pk}/change/").content.decode()
    assert "/unlock/" not in page  # nothing to unlock any more


def test_the_unlock_button_needs_the_csrf_token(client, staff_a, tenant_a, user_a):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(staff_a)
    key = lock(tenant_a, user_a)
    assert strict.post(f"{USERS}{user_a.pk}/unlock/").status_code == 403
    assert lockout.current_state(tenant_a, key).locked


def test_unlock_of_another_tenants_person_is_a_404(desk, tenant_b, user_b):
    key = lock(tenant_b, user_b)
    assert desk.post(f"{USERS}{user_b.pk}/unlock/").status_code == 404
    assert lockout.current_state(tenant_b, key).locked


@pytest.fixture
def poste_desk(client, db):
    tenant = make_tenant("poste-p", recovery_proof_alone=True)
    agent = UserFactory(tenant=tenant, identifier="AGENT", is_staff=True)
    person = UserFactory(tenant=tenant, identifier="E100001", first_name="Camille")
    give_answers(person, {0: "Montréal", 1: "Rex", 2: "Tremblay"})
    give_answers(person, {7: "Pâté chinois"}, purpose="helpdesk")
    client.force_login(agent)
    return client, tenant, person


def test_disabling_security_questions_asks_for_confirmation_first(poste_desk, submit):
    client, tenant, person = poste_desk
    url = f"/{tenant.slug}/admin/accounts/user/"
    asked = submit(url, {"action": "disable_questions", "_selected_action": [person.pk]}, client=client)
    assert asked.status_code == 200
    page = asked.content.decode()
    assert "Camille" in page and 'name="post"' in page
    assert SecurityAnswer.objects.filter(user=person, purpose="self").exists(), "nothing before the yes"
    done = submit(
        url, {"action": "disable_questions", "_selected_action": [person.pk], "post": "yes"}, client=client
    )
    assert done.status_code == 302
    assert not SecurityAnswer.objects.filter(user=person, purpose="self").exists()


def test_a_wrong_answer_is_logged_as_a_failed_check(poste_desk):
    client, tenant, person = poste_desk
    url = f"/{tenant.slug}/admin/accounts/user/{person.pk}/verify-caller/"
    qid = SecurityAnswer.objects.get(user=person, purpose="helpdesk").question_id
    client.post(url, {f"q{qid}": "Tourtière"})
    client.post(url, {f"q{qid}": "pate chinois"})
    entries = AuditEntry.objects.for_tenant(tenant).filter(target_id=str(person.pk)).order_by("id")
    assert [(e.action, e.action_label) for e in entries] == [
        ("selfservice.caller_check_failed", "Caller check failed: a help-desk answer was wrong"),
        ("selfservice.caller_verified", "Caller checked with the help-desk questions"),
    ]
