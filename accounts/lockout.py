"""Lockout: failed sign-ins and failed recovery attempts, counted per identifier and per address.

Per identifier (the tenant's policy, e.g. 3 failures lock for 120 minutes on the vault;
docs/journeys.md#lockout-count): the count lives in
the database, so every process sees it and the help desk can lift it. An identifier that names an
account is counted on the account (its 12-digit identifier and its e-mail share one count); any
other identifier is counted on its own text, so an unknown identifier locks exactly like a known one.

Per client address: a rolling count in the cache, so one address cannot sweep many accounts with a
few tries each. Successful sign-ins never count.

Every check of a secret reaches these counts through accounts.guard.check_secret, which reserves the
attempt (`reserve`, `reserve_address`) before the secret is checked.
"""

import hashlib
import hmac
import math
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.redis import RedisCache
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import Q
from django.utils import timezone

from portal.audit import client_ip
from portal.models import Tenant

from .identifiers import normalise_identifier
from .models import SignInLock

PLATFORM_THRESHOLD = 5
PLATFORM_MINUTES = 30


@dataclass(frozen=True)
class LockState:
    locked: bool
    minutes_left: int = 0
    counted: bool = False  # some failures are on record


def _policy(tenant):
    if tenant is None:
        return PLATFORM_THRESHOLD, PLATFORM_MINUTES
    policy = tenant.account_settings
    return policy.lockout_threshold, policy.lockout_minutes


class LockKey(str):
    """A lock key that knows the account whose own count it is (`user_id`; None for any other count),
    so the row it creates carries that account for the help desk (SignInLock.user)."""

    user_id: int | None = None


def lock_key(tenant, *, user=None, identifier: str = "") -> str:
    """A keyed hash: the table never holds what was typed (it may be a password typed in the wrong box)."""
    scope = f"t{tenant.pk}" if tenant is not None else "platform"
    if user is not None:
        subject = f"user:{user.pk}"
    else:
        normalised = normalise_identifier(tenant, identifier) if tenant is not None else identifier.strip()
        subject = f"id:{normalised}"
    message = f"{scope}|{subject}".encode()
    key = LockKey(hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest())
    key.user_id = user.pk if user is not None else None
    return key


def _owner(key) -> int | None:
    return getattr(key, "user_id", None)


def current_state(tenant, key: str) -> LockState:
    _run_held()
    row = SignInLock.objects.filter(key_digest=key).only("locked_until").first()  # tenant-guard: keyed hash
    return _state_of(row)


def current_states(keys) -> dict:
    """current_state() of several keys (of any tenants) in one query."""
    _run_held()
    # tenant-guard: each key digest includes its tenant
    found = SignInLock.objects.filter(key_digest__in=list(keys))
    rows = {r.key_digest: r for r in found}
    return {key: _state_of(rows.get(key)) for key in keys}


def states_of_people(tenant, user_ids) -> dict:
    """The sign-in lock of each of these people of the tenant, {user id: LockState}, in one indexed
    query on SignInLock.user (the help desk's lock column)."""
    _run_held()
    ids = list(user_ids)
    rows = SignInLock.objects.for_tenant(tenant).filter(user_id__in=ids).only("user_id", "locked_until")
    found = {row.user_id: row for row in rows}
    return {pk: _state_of(found.get(pk)) for pk in ids}


def locked_people(tenant):
    """The ids of the tenant's people locked out right now, as a subquery: one range of the
    `signinlock_locked_people` index, whatever the number of people (the help desk's filter)."""
    _run_held()
    return (
        SignInLock.objects.for_tenant(tenant)
        .filter(user__isnull=False, locked_until__gt=timezone.now())
        .values("user_id")
    )


def _state_of(row) -> LockState:
    now = timezone.now()
    if row is None:
        return LockState(False)
    if row.locked_until is None or row.locked_until <= now:
        return LockState(False, counted=True)
    return LockState(True, max(1, math.ceil((row.locked_until - now).total_seconds() / 60)), counted=True)


def register_failure(tenant, key: str) -> LockState:
    """Count one failure; lock when the policy's threshold is reached. A locked key is not extended."""
    _run_held()
    threshold, minutes = _policy(tenant)
    now = timezone.now()
    window = timedelta(minutes=minutes)
    with transaction.atomic():
        # tenant-guard: the key digest includes the tenant
        row, _created = SignInLock.objects.select_for_update().get_or_create(
            key_digest=key, defaults={"tenant": tenant, "user_id": _owner(key), "first_failure_at": now}
        )
        state = _state_of(row)
        if state.locked:
            return state
        _count_one(row, now=now, window=window, threshold=threshold, owner=_owner(key))
    return _state_of(row)


def _count_one(row, *, now, window, threshold, owner=None) -> bool:
    """Add one failure to a row that is not locked, starting a new count when the last one is over;
    lock it at the threshold. True when this failure locked it. `owner`: the account whose own count
    this is, written on a row from before SignInLock.user existed."""
    expired = row.locked_until is not None or (
        row.first_failure_at is not None and now - row.first_failure_at > window
    )
    if expired or row.failures == 0:
        row.failures, row.first_failure_at, row.locked_until = 0, now, None
    row.failures += 1
    if row.failures >= threshold:
        row.locked_until = now + window
    fields = ["failures", "first_failure_at", "locked_until"]
    if owner is not None and row.user_id is None:
        row.user_id = owner
        fields.append("user")
    row.save(update_fields=fields)
    return row.locked_until is not None


@dataclass(frozen=True)
class Reservation:
    refused: bool  # a key was locked already: the secret must not be checked
    minutes_left: int = 0
    last: bool = False  # this attempt reached the threshold: if it fails, the keys are locked


def reserve(tenant, keys) -> Reservation:
    """Count one attempt on every key before its secret is checked, unless one of them is locked.

    The rows are locked (select_for_update, in key order) for the count, so parallel attempts are
    counted one after the other and at most the threshold is ever checked; a success clears the count
    afterwards (clear_reservation). A locked key is not extended."""
    _run_held()
    threshold, minutes = _policy(tenant)
    now = timezone.now()
    window = timedelta(minutes=minutes)
    first_lock = now + window if threshold <= 1 else None
    keys = sorted(set(keys))
    # Most attempts name a key with no failures on record: one statement holds them.
    if len(keys) == 1 and _claim_fresh(tenant, keys[0], now, first_lock):
        return Reservation(False, minutes, first_lock is not None)
    with transaction.atomic():
        rows, last = [], first_lock is not None
        for key in keys:
            # tenant-guard: the key digest includes the tenant
            row, created = SignInLock.objects.select_for_update().get_or_create(
                key_digest=key,
                defaults={
                    "tenant": tenant,
                    "user_id": _owner(key),
                    "first_failure_at": now,
                    "failures": 1,
                    "locked_until": first_lock,
                },
            )
            if not created:  # a new row holds this attempt already
                rows.append((row, _owner(key)))
        locked = [_state_of(row) for row, _owner_id in rows if _state_of(row).locked]
        if locked:
            transaction.set_rollback(True)  # nothing counted: the secret is not checked
            return Reservation(True, max(state.minutes_left for state in locked))
        for row, owner in rows:
            last = _count_one(row, now=now, window=window, threshold=threshold, owner=owner) or last
    return Reservation(False, minutes, last)


def _claim_fresh(tenant, key: str, now, locked_until) -> bool:
    """Insert the row of a key that has none, holding this attempt; False when a row exists already.

    Raw SQL because the ORM has no INSERT ... ON CONFLICT DO NOTHING that says whether it inserted;
    get_or_create under select_for_update costs four statements more for every sign-in
    (benchmarks/signin.py). PostgreSQL and SQLite 3.35+ both take this form."""
    db = connections[DEFAULT_DB_ALIAS]  # once: each attribute of the `connection` proxy is a lookup
    adapt = db.ops.adapt_datetimefield_value
    with db.cursor() as cursor:
        cursor.execute(
            _claim_sql(db.vendor),
            [
                tenant.pk if tenant is not None else None,
                _owner(key),
                str(key),
                adapt(now),
                adapt(locked_until),
            ],
        )
        return cursor.fetchone() is not None


@lru_cache(maxsize=2)
def _claim_sql(vendor: str) -> str:
    """_claim_fresh's INSERT, written once per process (per database vendor, as the quoting is)."""
    meta, quote = SignInLock._meta, connection.ops.quote_name
    columns = ", ".join(
        quote(meta.get_field(name).column)
        for name in ("tenant", "user", "key_digest", "failures", "first_failure_at", "locked_until")
    )
    return (
        f"INSERT INTO {quote(meta.db_table)} ({columns}) "  # noqa: S608 - names from the model
        "VALUES (%s, %s, %s, 1, %s, %s) "
        f"ON CONFLICT ({quote(meta.get_field('key_digest').column)}) DO NOTHING "
        f"RETURNING {quote(meta.pk.column)}"
    )


def clear_keys(keys) -> None:
    """Delete the counts of these keys: one DELETE, outside any transaction (no row refers to a lock
    row, so Django's deletion collector, and the transaction it opens, have nothing to do)."""
    keys = [str(key) for key in keys]
    if not keys:
        return
    db = connections[DEFAULT_DB_ALIAS]
    with db.cursor() as cursor:
        cursor.execute(delete_sql(db.vendor, len(keys)), keys)


@lru_cache(maxsize=8)
def delete_sql(vendor: str, count: int) -> str:
    """The DELETE of `count` keys' counts (clear_keys; record_signed_in carries it in its statement)."""
    meta, quote = SignInLock._meta, connection.ops.quote_name
    return (
        f"DELETE FROM {quote(meta.db_table)} "  # noqa: S608 - names from the model
        f"WHERE {quote(meta.get_field('key_digest').column)} IN ({', '.join(['%s'] * count)})"
    )


# A success's clear of its reservation, held until the sign-in's own statement carries it (one round
# trip fewer after the hash: accounts.signals.record_signed_in), or until the request ends; and its
# address's give-back, held until the new session's cache write carries it (accounts.sessions). Only
# around a request (accounts.guard.HeldWritesMiddleware), a clear only outside any transaction; every
# read or write of the counts here runs what is held first, so nothing ever sees a reservation or an
# address's attempt that a success gave back.
_held = threading.local()


@contextmanager
def writes_held():
    """Around a request: clear_reservation() may wait for take_held_clears(), release_address() for
    set_with_held_give_backs(); what is left is run when the request ends, whatever the view did."""
    previous = getattr(_held, "keys", None), getattr(_held, "give_backs", None)
    _held.keys, _held.give_backs = [], []
    try:
        yield
    finally:
        keys, give_backs = _held.keys, _held.give_backs
        _held.keys, _held.give_backs = previous
        clear_keys(keys)
        for key in give_backs:
            _give_back(key)


def clear_reservation(keys) -> None:
    """The secret was right: clear the counts of its keys (accounts.guard), now or, around a request
    and outside a transaction, with the sign-in's statement (take_held_clears) or at the request's end."""
    held = getattr(_held, "keys", None)
    if held is None or connections[DEFAULT_DB_ALIAS].in_atomic_block:
        _run_held()
        clear_keys(keys)
        return
    held.extend(str(key) for key in keys)


def take_held_clears() -> list[str]:
    """The keys whose clear is held, for a statement that deletes them itself, outside a transaction;
    they are then no longer held. Inside a transaction nothing is handed over: it is cleared now."""
    held = getattr(_held, "keys", None)
    if not held:
        return []
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        _run_held()
        return []
    keys = list(dict.fromkeys(held))
    held.clear()
    return keys


def _run_held() -> None:
    held = getattr(_held, "keys", None)
    if held:
        keys = list(held)
        held.clear()
        clear_keys(keys)


def clear(key: str) -> None:
    _run_held()
    SignInLock.objects.filter(key_digest=key).delete()  # tenant-guard: the key includes the tenant


def purge_stale() -> int:
    """Delete the rows whose lock is over or whose failures are older than the tenant's window:
    the next failure would start a new count anyway. Returns how many went."""
    now = timezone.now()
    deleted = 0
    windows = [(None, PLATFORM_MINUTES)] + [
        (t, t.account_settings.lockout_minutes) for t in Tenant.objects.select_related("account_settings")
    ]
    for tenant, minutes in windows:
        stale = Q(locked_until__lte=now) | Q(
            locked_until__isnull=True, first_failure_at__lt=now - timedelta(minutes=minutes)
        )
        rows = (
            SignInLock.objects.filter(tenant=tenant)
            if tenant
            else SignInLock.objects.filter(tenant__isnull=True)
        )
        deleted += rows.filter(stale).delete()[0]
    return deleted


def unlock_account(user) -> bool:
    """Lift the lock of an account (help desk, completed reset, self-service unlock). True if one was set."""
    key = lock_key(user.tenant, user=user)
    was_locked = current_state(user.tenant, key).locked
    clear(key)
    return was_locked


# Per client address ---------------------------------------------------------------------------


def _address_key(request) -> str:
    return f"sign-in-failures:{client_ip(request) or 'unknown'}"


def address_blocked(request) -> int:
    """Minutes to wait when this address has failed too often lately; 0 otherwise."""
    _give_back_held()
    if cache.get(_address_key(request), 0) >= settings.PORTAIL_FAILURES_PER_ADDRESS:
        return math.ceil(settings.PORTAIL_FAILURES_ADDRESS_WINDOW / 60)
    return 0


# On Redis each count is one round trip (Django's add-then-incr is three, its decr two): a script runs
# atomically, so the window starts with the first failure and a count that expired is never
# recreated without one (benchmarks/README.md, "Sign-in with less around the hash").
_COUNT_SCRIPT = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return n
"""
_GIVE_BACK_SCRIPT = """
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('DECR', KEYS[1]) end
return 0
"""
_scripts: dict = {}


def _run_script(source: str, key: str, *args):
    """Run a script on the cache's Redis (EVALSHA, loaded on first use); None when the cache is not
    Redis (the tests' local memory), for the caller to fall back on the cache API."""
    backend = caches[DEFAULT_CACHE_ALIAS]
    if not isinstance(backend, RedisCache):
        return None
    client = backend._cache.get_client(write=True)
    script = _scripts.get(source)
    if script is None:
        script = _scripts[source] = client.register_script(source)
    return script(keys=[backend.make_and_validate_key(key)], args=list(args), client=client)


def register_address_failure(request) -> int:
    """Count one failure from this address; the count so far."""
    _give_back_held()
    key = _address_key(request)
    window = settings.PORTAIL_FAILURES_ADDRESS_WINDOW
    counted = _run_script(_COUNT_SCRIPT, key, window)
    if counted is not None:
        return int(counted)
    if cache.add(key, 1, timeout=window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        return 1


def reserve_address(request) -> int:
    """Count the attempt on its address before the secret is checked: minutes to wait if the address
    is over its limit (the attempt stays counted: refusing keeps counting), 0 to go on."""
    if register_address_failure(request) > settings.PORTAIL_FAILURES_PER_ADDRESS:
        return math.ceil(settings.PORTAIL_FAILURES_ADDRESS_WINDOW / 60)
    return 0


def release_address(request) -> None:
    """A success does not count against its address: give the reserved attempt back, now or, around
    a request on Redis, with the new session's cache write (set_with_held_give_backs)."""
    key = _address_key(request)
    held = getattr(_held, "give_backs", None)
    if held is not None and isinstance(caches[DEFAULT_CACHE_ALIAS], RedisCache):
        held.append(key)
        return
    _give_back(key)


def _give_back(key: str) -> None:
    if _run_script(_GIVE_BACK_SCRIPT, key) is not None:
        return
    try:
        cache.decr(key)
    except ValueError:  # expired meanwhile
        pass


def _give_back_held() -> None:
    held = getattr(_held, "give_backs", None)
    while held:
        _give_back(held.pop(0))


# The new session's cache entry (as Django's RedisCache.set writes it) and the held give-backs, as
# the give-back script does them, in one call.
_SET_AND_GIVE_BACK_SCRIPT = """
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
for i = 2, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then redis.call('DECR', KEYS[i]) end
end
return 1
"""


def set_with_held_give_backs(key: str, value, timeout) -> bool:
    """cache.set(key, value, timeout) on the default cache with the held give-backs in the same
    Redis call (one round trip after the hash instead of two); False when none is held, or the cache
    is not Redis, or the timeout is not a number of seconds: the caller sets it itself."""
    held = getattr(_held, "give_backs", None)
    backend = caches[DEFAULT_CACHE_ALIAS]
    if not held or not isinstance(backend, RedisCache) or timeout is None or int(timeout) <= 0:
        return False
    give_backs = list(held)
    held.clear()
    try:
        client = backend._cache.get_client(write=True)
        script = _scripts.get(_SET_AND_GIVE_BACK_SCRIPT)
        if script is None:
            script = _scripts[_SET_AND_GIVE_BACK_SCRIPT] = client.register_script(_SET_AND_GIVE_BACK_SCRIPT)
        keys = [backend.make_and_validate_key(name) for name in [key, *give_backs]]
        script(keys=keys, args=[backend._cache._serializer.dumps(value), int(timeout)], client=client)
    except Exception:
        held[:0] = give_backs  # given back when the request ends
        raise
    return True
