"""The signed-in person's row is kept in the cache (accounts/user_state.py), so a signed-in page reads
no database. Whatever changes the account, the very next request of a signed-in browser sees it:
a password changed elsewhere signs it out, a deactivated or moved account is signed out, a new address
or a required new password shows at once; and a cache that fails serves the database's answer."""

import ast
import re
from pathlib import Path
from unittest import mock

import pytest
from django.test import Client

from accounts import lockout, user_state
from accounts.actions import do_confirm_email, do_request_email_change, do_set_password
from accounts.models import User
from tests.factories import PASSWORD, UserFactory

from .test_help_desk import _person_form

NEW_PASSWORD = "Une tasse de thé au bord du fleuve"
USERS = "/alpha/admin/accounts/user/"
ROOT = Path(__file__).resolve().parents[2]


def signed_in_as(client, page="/alpha/"):
    """Who the next request of this browser is, as the page sees it (None: signed out)."""
    response = client.get(page)
    user = response.wsgi_request.user
    return user if user.is_authenticated else None


@pytest.fixture
def alice(client, sign_in, user_a, django_assert_num_queries):
    """Alice signed in, her row in the cache: her next page reads no database, so what follows is
    served from the cache unless the change was seen."""
    sign_in(user_a)
    client.get("/alpha/")
    with django_assert_num_queries(0):
        assert signed_in_as(client).first_name == "Alice"
    return client


@pytest.fixture
def desk(staff_a):
    browser = Client()
    browser.force_login(staff_a)
    return browser


def test_the_cached_row_is_the_one_served(alice, user_a, django_assert_num_queries):
    with django_assert_num_queries(0):
        user = signed_in_as(alice)
    assert (user.pk, user.identifier, user.first_name, user.email) == (
        user_a.pk,
        user_a.identifier,
        "Alice",
        user_a.email,
    )
    assert user.tenant.slug == "alpha"


def test_the_password_hash_is_not_kept_in_the_cache(alice, user_a):
    from django.core.cache import cache

    version_key, entry_key = user_state._keys(user_a.pk)
    entry = cache.get(entry_key)
    assert entry is not None and entry[0] == cache.get(version_key)
    user_a.refresh_from_db()
    assert user_a.password not in repr(entry)


def test_a_password_changed_in_another_browser_signs_this_one_out(alice, user_a, sign_in, submit):
    other = sign_in(user_a, client=Client())
    done = submit(
        "/alpha/profile/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        client=other,
    )
    assert done.status_code == 302
    assert signed_in_as(alice) is None
    assert alice.get("/alpha/profile/").status_code == 302
    assert signed_in_as(other, "/alpha/profile/") is not None, "the browser that changed it stays"


def test_a_password_set_by_the_action_signs_the_session_out(
    alice, user_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        do_set_password(user=User.objects.get(pk=user_a.pk), raw_password=NEW_PASSWORD)
    assert signed_in_as(alice) is None


def test_a_password_set_in_the_shell_signs_the_session_out(alice, user_a):
    person = User.objects.get(pk=user_a.pk)
    person.set_password(NEW_PASSWORD)
    person.save()
    assert signed_in_as(alice) is None


def test_deactivated_at_the_help_desk_signs_the_session_out(alice, user_a, desk, submit):
    form = _person_form(user_a)
    del form["is_active"]
    response = submit(f"{USERS}{user_a.pk}/change/", form, client=desk)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not User.objects.get(pk=user_a.pk).is_active
    assert signed_in_as(alice) is None


def test_a_help_desk_edit_of_the_name_shows_on_the_next_page(alice, user_a, desk, submit):
    response = submit(f"{USERS}{user_a.pk}/change/", _person_form(user_a, first_name="Alicia"), client=desk)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert signed_in_as(alice).first_name == "Alicia"
    assert "Alicia" in alice.get("/alpha/").content.decode()


def test_a_new_password_asked_by_the_help_desk_holds_the_next_page(alice, user_a, desk, submit):
    submit(
        USERS,
        {"action": "require_password_change", "_selected_action": [user_a.pk]},
        client=desk,
        follow=True,
    )
    assert User.objects.get(pk=user_a.pk).must_change_password
    assert alice.get("/alpha/")["Location"] == "/alpha/password/new/"


def test_a_deactivation_in_the_shell_signs_the_session_out(alice, user_a):
    person = User.objects.get(pk=user_a.pk)
    person.is_active = False
    person.save(update_fields=["is_active"])
    assert signed_in_as(alice) is None


def test_a_deleted_account_is_signed_out(alice, user_a):
    User.objects.get(pk=user_a.pk).delete()
    assert signed_in_as(alice) is None


def test_a_new_address_shows_on_the_next_page(alice, user_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        person = User.objects.get(pk=user_a.pk)
        do_request_email_change(user=person, new_email="nouvelle@alpha.test")
        do_confirm_email(user=User.objects.get(pk=user_a.pk))
    assert User.objects.get(pk=user_a.pk).email == "nouvelle@alpha.test"
    assert signed_in_as(alice).email == "nouvelle@alpha.test"


def test_an_unverified_address_shows_its_notice_at_once(alice, user_a):
    person = User.objects.get(pk=user_a.pk)
    person.email, person.email_verified = "autre@alpha.test", False
    person.save()
    page = alice.get("/alpha/").content.decode()
    assert "autre@alpha.test" in page and 'class="notice verify-email"' in page


def test_an_account_moved_to_another_tenant_is_signed_out_of_the_old_one(alice, user_a, tenant_b):
    person = User.objects.get(pk=user_a.pk)
    person.tenant = tenant_b
    person.save()
    assert signed_in_as(alice) is None
    assert alice.get("/alpha/profile/").status_code == 302


def test_a_lock_is_met_at_the_next_sign_in(alice, user_a, tenant_a):
    """The lock lives beside the account, read by the sign-in (accounts.guard); no signed-in page reads
    it, so the cache holds nothing a lock could make stale. A sign-in meets it at once."""
    key = lockout.lock_key(tenant_a, user=user_a)
    for _ in range(tenant_a.account_settings.lockout_threshold):
        lockout.register_failure(tenant_a, key)
    stranger = Client()  # a browser that never signed in to the account: the lock applies to it
    page = stranger.post("/alpha/sign-in/", {"username": user_a.identifier, "password": PASSWORD})
    assert page.status_code == 200 and signed_in_as(stranger) is None
    assert lockout.current_states({key: None})[key].locked


def test_a_change_committed_after_another_request_cached_the_old_row_is_still_seen(
    alice, user_a, django_capture_on_commit_callbacks
):
    """A request that read the row before the commit may store it after the account's keys were first
    dropped; the drop at commit makes that entry worthless."""
    stale = User.objects.get(pk=user_a.pk)
    with django_capture_on_commit_callbacks(execute=True):
        person = User.objects.get(pk=user_a.pk)
        person.is_active = False
        person.save()
        # The racing request: it took a token after the first drop and stores the row it read before.
        with mock.patch.object(user_state, "_from_database", return_value=stale):
            assert user_state.load_user(user_a.pk).is_active
        assert user_state.load_user(user_a.pk).is_active, "served from the cache until the commit"
    assert not user_state.load_user(user_a.pk).is_active
    assert signed_in_as(alice) is None


class BrokenCache:
    """A cache server that does not answer."""

    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ConnectionError("cache unreachable")

        return fail


def test_a_cache_that_fails_serves_the_database(alice, user_a, sign_in, submit, django_assert_num_queries):
    with mock.patch.object(user_state, "cache", BrokenCache()):
        with django_assert_num_queries(1):  # the account, from the database
            assert signed_in_as(alice).first_name == "Alice"
        other = sign_in(user_a, client=Client())
        submit(
            "/alpha/profile/password/",
            {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
            client=other,
        )
        assert signed_in_as(alice) is None
        assert signed_in_as(other) is not None


def test_an_entry_under_another_token_is_never_served(alice, user_a):
    from django.core.cache import cache

    version_key, entry_key = user_state._keys(user_a.pk)
    token, values, session_hash = cache.get(entry_key)
    cache.set(entry_key, ("not-the-token", values, session_hash))
    person = User.objects.get(pk=user_a.pk)
    User.objects.filter(pk=user_a.pk).update(first_name="Changed")
    user_state.forget_users([person.pk])
    assert signed_in_as(alice).first_name == "Changed"


def test_the_own_session_survives_the_own_password_change(alice, user_a, submit):
    done = submit(
        "/alpha/profile/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        client=alice,
    )
    assert done.status_code == 302
    assert signed_in_as(alice, "/alpha/profile/") is not None
    assert signed_in_as(alice) is not None


# --- Writes that send no signal ---------------------------------------------------------------

# A queryset of accounts, as code names it: User.objects…, get_user_model()…, tenant.users…
ACCOUNTS_QUERYSET = re.compile(r"\bUser\.objects\b|get_user_model\(\)|\.users\b|\buser_set\b")
SOURCE_DIRS = ["accounts", "portal", "messaging", "vault", "voting"]


def unsignalled_account_writes(source: str) -> list[int]:
    """Lines where `update()`/`bulk_update()` writes accounts with no `forget_users` in the same function."""
    tree = ast.parse(source)
    found = []
    functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]

    def enclosing(node):
        around = [f for f in functions if f.lineno <= node.lineno <= (f.end_lineno or f.lineno)]
        return max(around, key=lambda f: f.lineno, default=None)

    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr not in {"update", "bulk_update"}:
            continue
        receiver = ast.get_source_segment(source, node.func.value) or ""
        function = enclosing(node)
        scope = function or tree
        # Names bound to a queryset of accounts in the same function count as one ("people.update()").
        accounts = {
            target.id
            for assign in ast.walk(scope)
            if isinstance(assign, ast.Assign)
            and ACCOUNTS_QUERYSET.search(ast.get_source_segment(source, assign.value) or "")
            for target in assign.targets
            if isinstance(target, ast.Name)
        }
        root = receiver.split(".", 1)[0].split("(", 1)[0]
        if not (ACCOUNTS_QUERYSET.search(receiver) or root in accounts):
            continue
        body = ast.get_source_segment(source, function) if function else source
        if "forget_users(" not in body:
            found.append(node.lineno)
    return found


def test_the_check_finds_an_unsignalled_update():
    def check(*lines):
        return unsignalled_account_writes("def f(t):\n" + "".join(f"    {line}\n" for line in lines))

    assert check("User.objects.filter(tenant=t).update(is_active=False)")
    assert check("t.users.update(email='')")
    assert check("people = User.objects.all()", "people.update(email='')")
    assert not check("rows = Device.objects.all()", "rows.update(name='')")
    assert not check("ids = t.users.values_list('pk')", "t.users.update(email='')", "forget_users(ids)")


def test_no_code_writes_accounts_without_dropping_their_cached_state():
    """QuerySet.update() sends no post_save: code that writes accounts that way calls
    accounts.user_state.forget_users() beside it (migrations excepted: entries expire within
    USER_STATE_SECONDS, and a deploy that changes the columns changes the keys)."""
    offenders = []
    for folder in SOURCE_DIRS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for line in unsignalled_account_writes(path.read_text()):
                offenders.append(f"{path.relative_to(ROOT)}:{line}")
    assert offenders == []


def test_the_cached_state_expires_within_the_session_age(settings):
    settings.USER_STATE_SECONDS = 10**9
    assert user_state._timeout() == settings.SESSION_COOKIE_AGE
    settings.USER_STATE_SECONDS = 60
    assert user_state._timeout() == 60


@pytest.mark.parametrize("field", ["is_staff", "enrolment_pending"])
def test_every_flag_the_middleware_reads_is_fresh(alice, user_a, field):
    person = User.objects.get(pk=user_a.pk)
    setattr(person, field, True)
    person.save()
    assert getattr(signed_in_as(alice, "/alpha/privacy/"), field, None) in (True, None)
    if field == "enrolment_pending":
        assert alice.get("/alpha/")["Location"] == "/alpha/welcome/"
    else:
        assert 'href="/alpha/admin/"' in alice.get("/alpha/").content.decode()


def test_other_accounts_are_untouched(alice, user_a, tenant_a):
    other = UserFactory(tenant=tenant_a, identifier="A000002")
    other.first_name = "Other"
    other.save()
    assert signed_in_as(alice).first_name == "Alice"


def test_a_sign_in_elsewhere_keeps_the_state_and_its_time_is_read_fresh(alice, user_a, sign_in):
    """Every sign-in writes last_login; it is not kept, so it drops nothing and is never stale."""
    from django.core.cache import cache

    _, entry_key = user_state._keys(user_a.pk)
    kept = cache.get(entry_key)
    sign_in(user_a, client=Client())
    assert cache.get(entry_key) == kept
    assert signed_in_as(alice).last_login == User.objects.get(pk=user_a.pk).last_login


# --- The state read with the session (accounts/sessions.py) ------------------------------------


def _cache_reads(client, page="/alpha/"):
    """The key lists of the cache reads one request makes."""
    from django.core.cache.backends.locmem import LocMemCache

    reads, inside_get_many = [], []
    real_get, real_get_many = LocMemCache.get, LocMemCache.get_many

    def get(self, key, *args, **kwargs):
        if not inside_get_many:  # LocMemCache's get_many calls get for each key
            reads.append([key])
        return real_get(self, key, *args, **kwargs)

    def get_many(self, keys, *args, **kwargs):
        reads.append(list(keys))
        inside_get_many.append(True)
        try:
            return real_get_many(self, keys, *args, **kwargs)
        finally:
            inside_get_many.pop()

    with mock.patch.object(LocMemCache, "get", get), mock.patch.object(LocMemCache, "get_many", get_many):
        assert client.get(page).status_code == 200
    return reads


def test_the_session_and_the_state_are_read_in_one_round_trip(alice, user_a):
    session_key = alice.cookies["sessionid"].value
    reads = _cache_reads(alice)
    state_keys = set(user_state._keys(user_a.pk))
    with_state = [keys for keys in reads if state_keys & set(keys)]
    assert len(with_state) == 1 and any(session_key in key for key in with_state[0]), reads


def test_the_state_read_with_the_session_serves_only_the_account_the_session_holds(
    alice, user_a, tenant_a, django_assert_num_queries
):
    """The process's memory of which account a session held is a hint: a wrong one serves nothing."""
    from accounts import sessions

    bob = UserFactory(tenant=tenant_a, identifier="A000002", first_name="Bob")
    Client().force_login(bob)
    assert user_state.load_user(bob.pk).first_name == "Bob"  # Bob's state is in the cache
    session_key = alice.cookies["sessionid"].value
    sessions._owners[session_key] = str(bob.pk)
    assert signed_in_as(alice).first_name == "Alice"
    assert sessions._owners[session_key] == str(user_a.pk)


def test_a_change_is_seen_by_the_next_request_when_the_state_comes_with_the_session(alice, user_a):
    reads = _cache_reads(alice)
    assert any(len(keys) == 3 for keys in reads), "the state came with the session"
    User.objects.filter(pk=user_a.pk).update(first_name="Alicia")
    user_state.forget_users([user_a.pk])
    assert signed_in_as(alice).first_name == "Alicia"
    person = User.objects.get(pk=user_a.pk)
    person.set_password(NEW_PASSWORD)
    person.save()
    assert signed_in_as(alice) is None


def test_the_state_read_with_the_session_is_used_by_its_request_only(alice, user_a):
    alice.get("/alpha/")
    assert user_state._session.get() is None
    assert user_state.load_user(user_a.pk).first_name == "Alice"
    session = alice.session  # a store that has read the state with the session, outside any request
    session.load()
    with user_state.reading_for(session):
        User.objects.filter(pk=user_a.pk).update(first_name="Changed")
        user_state.forget_users([user_a.pk])
        # Read before the change, used once: the second read in the same request sees the change.
        assert user_state.load_user(user_a.pk).first_name in ("Alice", "Changed")
        assert user_state.load_user(user_a.pk).first_name == "Changed"
