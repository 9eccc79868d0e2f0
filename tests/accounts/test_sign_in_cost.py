"""What a sign-in costs around the password hash (benchmarks/README.md, "Sign-in with less around the
hash"), and the lock rows that carry their account for the help desk (docs/journeys.md#lockout-count,
docs/journeys.md#helpdesk)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import parse_http_date

from accounts import lockout
from accounts.models import SignInLock
from portal.models import AuditEntry
from tests.factories import UserFactory

from .test_help_desk_phone import _rows, lock

USERS = "/alpha/admin/accounts/user/"


def _sign_in_statements():
    """What a sign-in of a browser without a session writes and reads, statement by statement."""
    statements = [
        "the account named (one SELECT by tenant and identifier)",
        "the attempt reserved on the account's lock key (INSERT … ON CONFLICT DO NOTHING)",
    ]
    if connection.vendor == "postgresql":
        # The new session, written once when the response is saved (accounts/sessions.py), carries
        # the sign-in's writes after the hash in its WITH clause.
        return statements + [
            "the reservation cleared (the password being right), last_login and the audit entry "
            "(DELETE, UPDATE and INSERT in the WITH clause of the session's INSERT)"
        ]
    return statements + [
        "BEGIN",
        "the reservation cleared, the password being right (DELETE)",
        "last_login (UPDATE)",
        "the audit entry (INSERT)",
        "COMMIT",
        "the session (INSERT)",
    ]


# As in production, outside a test's transaction: the transactions of the sign-in are its own.
@pytest.mark.django_db(transaction=True)
def test_a_sign_in_runs_a_fixed_number_of_statements(client, user_a, password, django_assert_num_queries):
    client.get("/alpha/sign-in/")  # the tenant's settings are read once per process, the CSRF cookie set
    with django_assert_num_queries(len(_sign_in_statements())):
        response = client.post(
            "/alpha/sign-in/",
            {"username": "A000001", "password": password},
            REMOTE_ADDR="203.0.113.7",
            HTTP_USER_AGENT="Navigateur d'essai/1.0",
        )
    assert response.status_code == 302 and response["Location"] == "/alpha/"
    user_a.refresh_from_db()
    assert user_a.last_login is not None and timezone.now() - user_a.last_login < timedelta(minutes=1)
    entry = AuditEntry.objects.for_tenant(user_a.tenant).get(action="auth.signed_in")
    assert entry.actor == user_a and entry.target_id == str(user_a.pk) and entry.actor_label == "A000001"
    assert entry.target_type == "accounts.user" and entry.target_label == str(user_a)
    assert entry.ip_address == "203.0.113.7" and entry.user_agent == "Navigateur d'essai/1.0"
    assert entry.details == {} and entry.tenant_id == user_a.tenant_id
    assert entry.created_at == user_a.last_login
    assert not SignInLock.objects.exists()  # the reservation went with the success


@pytest.mark.django_db
def test_the_last_sign_in_voids_a_reset_link_made_before_it(client, user_a, password):
    from accounts.tokens import password_tokens

    token = password_tokens.make_token(user_a)
    client.post("/alpha/sign-in/", {"username": "A000001", "password": password})
    user_a.refresh_from_db()
    assert not password_tokens.check_token(user_a, token)


@pytest.mark.django_db
def test_a_failure_on_a_known_account_writes_the_account_on_its_lock_row(client, user_a):
    client.post("/alpha/sign-in/", {"username": "A000001", "password": "not-the-password-0"})
    row = SignInLock.objects.for_tenant(user_a.tenant).get()
    assert row.user_id == user_a.pk and row.failures == 1


@pytest.mark.django_db
def test_an_unknown_identifier_s_lock_row_has_no_account(client, tenant_a, user_a):
    for _ in range(tenant_a.account_settings.lockout_threshold):
        client.post("/alpha/sign-in/", {"username": "Z999999", "password": "not-the-password-0"})
    row = SignInLock.objects.for_tenant(tenant_a).get()
    assert row.user_id is None and row.locked_until is not None
    assert row.key_digest == lockout.lock_key(tenant_a, identifier="Z999999")
    # Locked like an account, and listed by nobody's lock in the help desk.
    refused = client.post("/alpha/sign-in/", {"username": "Z999999", "password": "not-the-password-0"})
    assert "locked" in refused.content.decode()
    assert not lockout.locked_people(tenant_a).exists()


@pytest.mark.django_db
def test_a_row_from_before_the_column_gets_its_account_with_the_next_failure(client, tenant_a, user_a):
    key = lockout.lock_key(tenant_a, user=user_a)
    SignInLock.objects.create(tenant=tenant_a, key_digest=key, failures=1, first_failure_at=timezone.now())
    client.post("/alpha/sign-in/", {"username": "A000001", "password": "not-the-password-0"})
    row = SignInLock.objects.for_tenant(tenant_a).get()
    assert row.user_id == user_a.pk and row.failures == 2


@pytest.fixture
def desk(client, staff_a):
    client.force_login(staff_a)
    return client


@pytest.mark.django_db
def test_the_locked_filter_lists_exactly_the_locked_people(desk, tenant_a, tenant_b, user_a):
    people = [UserFactory(tenant=tenant_a, identifier=f"P{n:03d}") for n in range(6)]
    lock(tenant_a, people[1])
    lock(tenant_a, people[4])
    # Counted but not locked, and locked no more: neither is listed.
    lockout.register_failure(tenant_a, lockout.lock_key(tenant_a, user=people[2]))
    lock(tenant_a, people[5])
    SignInLock.objects.for_tenant(tenant_a).filter(user=people[5]).update(
        locked_until=timezone.now() - timedelta(minutes=1)
    )
    # Another tenant's locked person, and an unknown identifier's lock, are nobody here.
    lock(tenant_b, UserFactory(tenant=tenant_b, identifier="P001"))
    for _ in range(tenant_a.account_settings.lockout_threshold):
        lockout.register_failure(tenant_a, lockout.lock_key(tenant_a, identifier="P003"))
    assert _rows(desk.get(USERS, {"lock": "locked"})) == ["P001", "P004"]
    assert _rows(desk.get(USERS, {"lock": "open"})) == ["A000001", "P000", "P002", "P003", "P005"]


@pytest.mark.django_db
def test_the_locked_filter_costs_the_same_for_two_people_as_for_thirty(desk, tenant_a, user_a):
    few = [UserFactory(tenant=tenant_a, identifier=f"F{n:03d}") for n in range(2)]
    for person in few:
        lock(tenant_a, person)
    desk.get(USERS, {"lock": "locked"})  # the session and the tenant's settings, once per process
    with CaptureQueriesContext(connection) as small:
        assert len(_rows(desk.get(USERS, {"lock": "locked"}))) == 2
    many = [UserFactory(tenant=tenant_a, identifier=f"M{n:03d}") for n in range(28)]
    for person in many:
        lock(tenant_a, person)
    UserFactory.create_batch(20, tenant=tenant_a)  # not locked
    with CaptureQueriesContext(connection) as large:
        assert len(_rows(desk.get(USERS, {"lock": "locked"}))) == 30
    assert len(large) == len(small)
    # The filter is one subquery of the people's query, not a read of every person.
    reads = [q["sql"] for q in large if "signinlock" in q["sql"]]
    assert reads and all("user_id" in sql for sql in reads)


@pytest.fixture
def redis_throttle(settings):
    """The per-address count on a real Redis, as in production (one script call per count)."""
    import os

    import redis

    from tests.conftest import require_service

    broker = os.environ.get("CELERY_BROKER_URL", "")
    if not broker.startswith("redis://"):
        require_service("CELERY_BROKER_URL is not set: no Redis for the address throttle's test")
    url = broker.rsplit("/", 1)[0] + "/11"
    settings.CACHES = {
        "default": {
            "BACKEND": "portal.cache.PortailRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "portail-test-throttle",
        }
    }
    client = redis.Redis.from_url(url)
    yield client
    for key in client.scan_iter("portail-test-throttle:*"):
        client.delete(key)


def test_the_address_count_on_redis_is_one_call_and_keeps_its_window(redis_throttle, settings, rf):
    from django.core.cache import cache

    settings.PORTAIL_FAILURES_PER_ADDRESS = 3
    request = rf.post("/", REMOTE_ADDR="198.51.100.9")
    key = cache.make_and_validate_key(lockout._address_key(request))
    assert lockout.reserve_address(request) == 0
    ttl = redis_throttle.ttl(key)
    assert 0 < ttl <= settings.PORTAIL_FAILURES_ADDRESS_WINDOW
    lockout.release_address(request)  # a success gives its attempt back
    assert cache.get(lockout._address_key(request)) == 0
    for _ in range(3):
        assert lockout.reserve_address(request) == 0
    assert lockout.address_blocked(request)
    assert lockout.reserve_address(request) > 0  # refusing keeps counting
    assert cache.get(lockout._address_key(request)) == 4
    assert 0 < redis_throttle.ttl(key) <= ttl  # the window runs from the first failure
    # A count that expired is not recreated by a give-back (it would never expire again).
    redis_throttle.delete(key)
    lockout.release_address(request)
    assert not redis_throttle.exists(key)
    assert lockout.reserve_address(request) == 0 and redis_throttle.ttl(key) > 0


@pytest.mark.django_db(transaction=True)
def test_a_new_session_key_that_collides_with_a_live_session_is_drawn_again(
    client, user_a, password, monkeypatch
):
    """The sign-in no longer asks whether a fresh key is taken; the INSERT's primary key does. A key
    that happens to be someone's live session must never hand their session to the newcomer."""
    _collide_then_sign_in(client, user_a, password, monkeypatch)


@pytest.mark.django_db
def test_a_colliding_key_inside_a_transaction_leaves_the_transaction_usable(
    client, user_a, password, monkeypatch
):
    """Inside a transaction (ATOMIC_REQUESTS, a test's) the failed INSERT is undone on its own."""
    _collide_then_sign_in(client, user_a, password, monkeypatch)
    assert client.get("/alpha/").wsgi_request.user == user_a


def _collide_then_sign_in(client, user_a, password, monkeypatch):
    from django.contrib.sessions.models import Session

    from accounts import sessions

    other = sessions.SessionStore()
    other["marker"] = "someone else"
    other.create()
    drawn = iter([other.session_key, "k" * 32])
    monkeypatch.setattr(sessions, "_random_key", lambda: next(drawn))

    response = client.post("/alpha/sign-in/", {"username": user_a.identifier, "password": password})

    assert response.status_code == 302
    assert client.cookies["sessionid"].value == "k" * 32
    assert sessions.SessionStore(session_key=other.session_key).load() == {"marker": "someone else"}
    assert Session.objects.count() == 2
    # The sign-in's own writes, carried by the INSERT that failed, are written once all the same.
    assert AuditEntry.objects.filter(action="auth.signed_in").count() == 1
    user_a.refresh_from_db()
    assert user_a.last_login is not None and not SignInLock.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_new_session_is_written_once_and_carries_the_sign_in(client, user_a, password, monkeypatch):
    """A browser without a session: one INSERT (above) and one cache write, which hold the signed-in
    session (accounts/sessions.py): nothing is written first under a key and then rewritten."""
    from django.contrib.sessions.models import Session
    from django.core.cache import caches

    from accounts import sessions

    client.get("/alpha/sign-in/")
    cache, written = caches["default"], []
    real_set = cache.set

    def spy(key, value, *args, **kwargs):
        if str(key).startswith(sessions.SessionStore.cache_key_prefix):
            written.append((key, dict(value)))
        return real_set(key, value, *args, **kwargs)

    monkeypatch.setattr(cache, "set", spy)
    response = client.post("/alpha/sign-in/", {"username": "A000001", "password": password})

    assert response.status_code == 302
    key = client.cookies["sessionid"].value
    assert [k for k, _value in written] == [sessions.SessionStore.cache_key_prefix + key]
    assert written[0][1]["_auth_user_id"] == str(user_a.pk)
    # The row alone (the cache emptied) is the signed-in session.
    row = Session.objects.get()
    assert row.session_key == key
    assert sessions.SessionStore().decode(row.session_data)["_auth_user_id"] == str(user_a.pk)
    cache.clear()
    assert client.get("/alpha/").wsgi_request.user == user_a


@pytest.mark.django_db(transaction=True)
def test_a_session_key_chosen_by_the_browser_is_never_the_signed_in_one(client, user_a, password):
    """Session fixation: a cookie naming a session that does not exist (a key someone made up and
    planted) gets a new random key at sign-in, and the made-up key stays nobody's session."""
    from django.contrib.sessions.models import Session

    planted = "a" * 32
    client.cookies["sessionid"] = planted
    client.get("/alpha/sign-in/")
    response = client.post("/alpha/sign-in/", {"username": "A000001", "password": password})

    assert response.status_code == 302
    assert client.cookies["sessionid"].value != planted
    assert not Session.objects.filter(session_key=planted).exists()
    client.cookies["sessionid"] = planted
    assert not client.get("/alpha/").wsgi_request.user.is_authenticated


def test_new_session_keys_are_32_random_characters_of_django_s_alphabet():
    from django.contrib.sessions.backends.base import VALID_KEY_CHARS

    from accounts.sessions import _random_key

    keys = [_random_key() for _ in range(2000)]
    assert len(set(keys)) == len(keys)
    assert all(len(key) == 32 and set(key) <= set(VALID_KEY_CHARS) for key in keys)
    # Every character at every position: nothing left out at the ends of the alphabet or the key.
    assert all({key[position] for key in keys} == set(VALID_KEY_CHARS) for position in range(32))


@pytest.mark.django_db
def test_the_sign_in_view_is_decorated_once_and_still_protected(
    client, user_a, password, settings, monkeypatch
):
    """LoginView's decorators (never cache, CSRF, sensitive POST data) wrap the sign-in view once per
    process instead of at every request (no CSRF middleware built per request), and still apply."""
    import traceback

    from django.middleware.csrf import CsrfViewMiddleware
    from django.test import Client

    built = []
    original = CsrfViewMiddleware.__init__

    def counted(self, *args, **kwargs):
        if not any(frame.name == "load_middleware" for frame in traceback.extract_stack()):
            built.append(self)  # not the middleware chain's own instance
        original(self, *args, **kwargs)

    page = client.get("/alpha/sign-in/")  # the URLconfs, and the views they decorate, loaded
    monkeypatch.setattr(CsrfViewMiddleware, "__init__", counted)
    client.get("/alpha/sign-in/")
    response = client.post("/alpha/sign-in/", {"username": "A000001", "password": password})
    assert built == []
    refused = client.post("/alpha/sign-in/", {"username": "A000001", "password": "not-the-password-0"})
    # Never cached, with exactly the headers Django's never_cache writes.
    expected = HttpResponse()
    add_never_cache_headers(expected)
    for answer in (page, response, refused):
        assert answer["Cache-Control"] == expected["Cache-Control"]
        assert abs(parse_http_date(answer["Expires"]) - parse_http_date(expected["Expires"])) <= 60
    assert response.status_code == 302 and response["Location"] == "/alpha/"
    assert response.wsgi_request.sensitive_post_parameters == "__ALL__"
    # The view's own CSRF check, without the middleware's.
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != "django.middleware.csrf.CsrfViewMiddleware"]
    strict = Client(enforce_csrf_checks=True)
    strict.get("/alpha/sign-in/")
    refused = strict.post("/alpha/sign-in/", {"username": "A000001", "password": password})
    assert refused.status_code == 403


# The reservation's clear held for the sign-in's own statement (accounts.lockout.writes_held): only
# outside a transaction, so these tests run as production does, without a test's transaction.


@pytest.mark.django_db(transaction=True)
def test_a_sign_in_stopped_by_a_stage_still_clears_its_reservation(client, user_a, password, monkeypatch):
    """No sign-in statement carries the clear (a stage answers before the session is signed in): it
    runs when the view is done."""
    from accounts import stages

    from .test_sign_in_stages import TermsStage

    monkeypatch.setattr(stages, "_stages", list(stages._stages))
    stages.register_stage(TermsStage, before="enrol_device")
    response = client.post("/alpha/sign-in/", {"username": "A000001", "password": password})
    assert response.content.decode() == "Accept the terms of use first."
    assert not SignInLock.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_sign_in_that_fails_after_the_password_still_clears_its_reservation(
    client, user_a, password, monkeypatch
):
    from accounts import signals

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(signals, "_write_signed_in", broken)
    with pytest.raises(RuntimeError):
        client.post("/alpha/sign-in/", {"username": "A000001", "password": password})
    assert not SignInLock.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_held_clear_is_never_seen_by_a_read_or_a_count_of_the_same_request(tenant_a, user_a):
    key = lockout.lock_key(tenant_a, user=user_a)
    with lockout.writes_held():
        assert not lockout.reserve(tenant_a, [key]).refused
        lockout.clear_reservation([key])
        assert SignInLock.objects.filter(key_digest=key).exists()  # held, not yet run
        assert not lockout.current_state(tenant_a, key).counted  # a read runs it first
        assert not SignInLock.objects.exists()
        lockout.reserve(tenant_a, [key])
        lockout.clear_reservation([key])
        # A count runs it first too: the failure starts a new count instead of adding to a success.
        assert lockout.register_failure(tenant_a, key).counted
        assert SignInLock.objects.get(key_digest=key).failures == 1
    assert lockout.take_held_clears() == []  # nothing is held outside a request


@pytest.mark.django_db
def test_inside_a_transaction_the_clear_is_not_held(tenant_a, user_a):
    key = lockout.lock_key(tenant_a, user=user_a)
    with lockout.writes_held():
        lockout.reserve(tenant_a, [key])
        lockout.clear_reservation([key])  # the test's transaction is open
        assert not SignInLock.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_sign_in_that_rotates_a_session_still_writes_its_audit_entry_and_clears(client, user_a, password):
    """A browser with a session is rotated as Django rotates it (no new session's INSERT to carry the
    sign-in's writes): they are written when the request ends, before the answer goes out."""
    from django.contrib.sessions.models import Session

    session = client.session
    session["marker"] = "kept"
    session.save()
    response = client.post("/alpha/sign-in/", {"username": "A000001", "password": password})
    assert response.status_code == 302 and client.cookies["sessionid"].value != session.session_key
    assert not Session.objects.filter(session_key=session.session_key).exists()
    assert AuditEntry.objects.filter(action="auth.signed_in", target_id=str(user_a.pk)).count() == 1
    user_a.refresh_from_db()
    assert user_a.last_login is not None and not SignInLock.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_session_insert_that_fails_leaves_the_sign_in_s_writes_to_the_request_s_end(
    client, user_a, password, monkeypatch
):
    from django.contrib.sessions.models import Session

    from accounts import sessions

    broken = 'INSERT INTO "no_such_table" ("a", "b", "c") VALUES (%s, %s, %s)'
    monkeypatch.setitem(sessions._inserts, (Session, connection.vendor), broken)
    with pytest.raises(Exception, match="no_such_table"):
        client.post("/alpha/sign-in/", {"username": "A000001", "password": password})
    assert AuditEntry.objects.filter(action="auth.signed_in").count() == 1
    user_a.refresh_from_db()
    assert user_a.last_login is not None and not SignInLock.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_on_redis_the_address_is_given_back_with_the_new_session_s_cache_write(
    redis_throttle, client, user_a, password, settings
):
    """Two Redis calls: the address's count before the hash; after it, the new session's cache entry
    and the address's give-back in one script call."""
    import redis
    from django.core.cache import cache
    from django.test import Client

    from accounts import sessions

    Client().post("/alpha/sign-in/", {"username": "A000001", "password": password})  # the scripts loaded
    client.get("/alpha/sign-in/")
    sent = []
    execute = redis.client.Redis.execute_command

    def counting(self, *args, **kwargs):
        sent.append(str(args[0]))
        return execute(self, *args, **kwargs)

    redis.client.Redis.execute_command = counting
    try:
        response = client.post("/alpha/sign-in/", {"username": "A000001", "password": password})
    finally:
        redis.client.Redis.execute_command = execute
    assert response.status_code == 302
    assert [name for name in sent if name != "SCRIPT LOAD"] == ["EVALSHA", "EVALSHA"]
    request = response.wsgi_request
    assert cache.get(lockout._address_key(request)) == 0  # given back
    key = client.cookies["sessionid"].value
    entry = cache.get(sessions.SessionStore.cache_key_prefix + key)
    assert entry["_auth_user_id"] == str(user_a.pk)
    assert 0 < redis_throttle.ttl(cache.make_and_validate_key(sessions.SessionStore.cache_key_prefix + key))


def test_a_held_give_back_is_run_before_the_address_is_counted_again_or_at_the_request_s_end(
    redis_throttle, settings, rf
):
    from django.core.cache import cache

    request = rf.post("/", REMOTE_ADDR="198.51.100.10")
    key = lockout._address_key(request)
    with lockout.writes_held():
        lockout.reserve_address(request)
        lockout.release_address(request)
        assert cache.get(key) == 1  # held
        assert lockout.reserve_address(request) == 0 and cache.get(key) == 1  # given back first
        lockout.release_address(request)
    assert cache.get(key) == 0  # given back when the request ends


@pytest.mark.django_db
def test_session_rows_are_written_without_compression_and_compressed_ones_still_read():
    from django.core import signing

    from accounts import sessions

    store = sessions.SessionStore()
    data = {"_auth_user_id": "1", "_auth_user_hash": "ab" * 32, "note": "x" * 500}
    encoded = store.encode(data)
    assert not encoded.startswith(".")  # zlib's mark; 500 "x" would have compressed
    assert store.decode(encoded) == data
    compressed = signing.dumps(data, salt=store.key_salt, serializer=store.serializer, compress=True)
    assert compressed.startswith(".") and store.decode(compressed) == data


@pytest.mark.django_db(transaction=True)
def test_sign_in_writes_that_the_database_refuses_are_not_dropped_by_a_new_key(
    client, user_a, password, monkeypatch
):
    """A held write refused (here: the account deleted between the password and the session) is not
    a session key to draw again: the sign-in fails, as it did when the view wrote them itself."""
    from django.db import DatabaseError, connection

    from accounts import signals

    if connection.vendor != "postgresql":
        pytest.skip("the sign-in's writes ride in the session's INSERT on PostgreSQL only")
    original = signals._write_signed_in

    def after_a_deletion(db, update, update_params, insert, insert_params, cleared):
        insert_params = list(insert_params)
        insert_params[1] = 10**9  # the audit entry's actor: no such account
        original(db, update, update_params, insert, insert_params, cleared)

    monkeypatch.setattr(signals, "_write_signed_in", after_a_deletion)
    with pytest.raises(DatabaseError):
        client.post("/alpha/sign-in/", {"username": "A000001", "password": password})
    assert not AuditEntry.objects.filter(action="auth.signed_in").exists()


def test_only_a_post_holds_writes_a_page_read_writes_at_once(rf):
    """HeldWritesMiddleware holds around a POST only (a typed secret); a page read goes straight
    through, so a clear asked for by a GET runs at once."""
    from django.http import HttpResponse

    from accounts import sessions
    from accounts.guard import HeldWritesMiddleware

    seen = []

    def view(request):
        seen.append((getattr(lockout._held, "keys", None), getattr(sessions._held, "statements", None)))
        return HttpResponse()

    HeldWritesMiddleware(view)(rf.get("/"))
    HeldWritesMiddleware(view)(rf.post("/"))
    assert seen == [(None, None), ([], [])]
