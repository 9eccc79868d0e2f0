"""The signed-in person's row, kept in the cache between requests, so that a signed-in page reads no
database (benchmarks/README.md, "The signed-in page against plain Django").

What is kept: every column of the account except the password hash (and the time of the last
sign-in, which no signed-in page shows), and in place of the hash Django's session
verification hash (an HMAC of the password hash under SECRET_KEY, the value every session already
holds). Django's `auth.get_user` compares the session's hash with it exactly as it does with a row
read from the database, so a new password still signs every other session out on its next request.
Reading `user.password` (a "current password" check) loads it from the database.

How it stays right:
- two keys per person: a version (a random token) and the entry, which carries the version it was
  read under. One `get_many` (Redis: one MGET) reads both; the entry counts only when its token is
  the current one;
- every save or delete of an account drops both keys at once and again once the transaction commits
  (`post_save`/`post_delete` below, so the help desk's admin and the shell are covered as well as the
  actions). A request that read the row before the commit stored it under a token the commit drops,
  and tokens are never reused, so an old row is never served after the commit;
- a person's version is read before the row it guards: a miss takes a fresh token first;
- any cache error, a miss, or a session hash that does not match reads the database instead;
- entries expire after USER_STATE_SECONDS (5 minutes by default, never more than SESSION_COOKIE_AGE):
  the longest a change the cache could not be told about (the cache unreachable at that moment, a
  `QuerySet.update()`, a migration) can be served.
`QuerySet.update()` on accounts sends no signal: code that uses it calls `forget_users()` after it
(tests/accounts/test_user_state_cache.py finds any that does not).

One round trip with the session: the session store (accounts/sessions.py) reads the session and, when
this process has seen that session signed in to an account before, the account's two keys in the same
MGET (`read_with_state`). The state so read is used only by the request that read it
(`reading_for(session)`, around each request in accounts.middleware), only for the account the session
holds, and only once; it is read as `load_user` would read it, a moment earlier.
"""

import hashlib
import logging
import secrets
import types
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache, partial

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connection, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.crypto import salted_hmac

from .models import User

logger = logging.getLogger(__name__)

# Not kept: the password hash (its session HMAC is kept instead), and the time of the last sign-in,
# which every sign-in writes and no signed-in page shows (reading it loads it), so a sign-in need not
# drop the state of the account's other sessions.
NOT_KEPT = frozenset({"password", "last_login"})
FIELDS = tuple(f.attname for f in User._meta.concrete_fields if f.attname not in NOT_KEPT)


def _timeout() -> int:
    return min(settings.USER_STATE_SECONDS, settings.SESSION_COOKIE_AGE)


@lru_cache(maxsize=4)
def _prefix_for(secret_key: str) -> str:
    signature = salted_hmac("accounts.user_state", ",".join(FIELDS), secret=secret_key, algorithm="sha256")
    return "user-state:" + hashlib.sha256(signature.hexdigest().encode()).hexdigest()[:12]


def _prefix() -> str:
    """Changes with the columns (a deploy that adds one) and with SECRET_KEY (the session hashes kept
    are made with it), so an entry of another shape or key is never read."""
    return _prefix_for(settings.SECRET_KEY)


def _keys(user_id) -> tuple[str, str]:
    prefix = _prefix()
    return f"{prefix}:{user_id}:version", f"{prefix}:{user_id}:entry"


def _cached_session_auth_hash(user, cached: str) -> str:
    # The password hash was not loaded, so the kept HMAC of it is the session hash. Once the password
    # is loaded or set (a password change in this very request), Django's own computation applies.
    if "password" in user.__dict__:
        return User.get_session_auth_hash(user)
    return cached


def _from_entry(values, session_hash) -> User:
    user = User.from_db(DEFAULT_DB_ALIAS, FIELDS, values)  # the columns not kept are deferred
    session_auth_hash = partial(_cached_session_auth_hash, cached=session_hash)
    user.get_session_auth_hash = types.MethodType(session_auth_hash, user)
    return user


def _from_database(user_id):
    try:
        return User.objects.get(pk=user_id)  # tenant-guard: the id comes from the session
    except User.DoesNotExist:
        return None


# The session of the request being served, whose store may hold the state it read with the session.
_session = ContextVar("accounts.user_state.session", default=None)


@contextmanager
def reading_for(session):
    """Within this block, `load_user` may use the state the session store read with this session."""
    token = _session.set(session)
    try:
        yield
    finally:
        _session.reset(token)


def read_with_state(key: str, user_id: str):
    """The cache value under `key` (the session) and the cached state of the account `user_id`, in one
    round trip: (value or None, what load_user would have read). Cache errors propagate."""
    found = cache.get_many([key, *_keys(user_id)])
    return found.pop(key, None), found


def _read_with_session(user_id):
    session = _session.get()
    kept = getattr(session, "user_state_read", None)
    if kept is None or kept[0] != str(user_id):
        return None
    session.user_state_read = None  # once: a second load in this request reads the cache again
    return kept[1]


def load_user(user_id):
    """The account with this id (from the session), from the cache when it holds the current row,
    else from the database; None when there is no such account."""
    version_key, entry_key = _keys(user_id)
    found = _read_with_session(user_id)
    if found is None:
        try:
            found = cache.get_many([version_key, entry_key])
        except Exception:
            logger.warning("user state: cache unreadable, reading the database", exc_info=True)
            return _from_database(user_id)
    version, entry = found.get(version_key), found.get(entry_key)
    if version is not None and entry is not None and entry[0] == version:
        return _from_entry(entry[1], entry[2])
    try:
        if version is None:
            # The token is taken before the row is read: a change committed after this read drops it.
            version = secrets.token_hex(8)
            if not cache.add(version_key, version, _timeout() * 2):
                version = None  # another request took one at the same moment; do not cache this time
    except Exception:
        logger.warning("user state: cache unwritable, reading the database", exc_info=True)
        version = None
    user = _from_database(user_id)
    if user is None or version is None:
        return user
    values = tuple(getattr(user, name) for name in FIELDS)
    try:
        cache.set(entry_key, (version, values, user.get_session_auth_hash()), _timeout())
    except Exception:
        logger.warning("user state: cache unwritable", exc_info=True)
    return user


def _drop(user_ids) -> None:
    keys = [key for user_id in user_ids for key in _keys(user_id)]
    try:
        cache.delete_many(keys)
    except Exception:
        # Nothing more can be done from here; the entries expire after USER_STATE_SECONDS.
        logger.error("user state: could not drop the cached state of %s", list(user_ids), exc_info=True)


def forget_users(user_ids) -> None:
    """The accounts changed: drop their cached state now and again once the transaction commits.

    Now, so that this process and the test client see the change inside the transaction; at commit,
    because a request that read the row in between (before the commit) may have cached the old one."""
    user_ids = list(user_ids)
    if not user_ids:
        return
    _drop(user_ids)
    if connection.in_atomic_block:
        transaction.on_commit(partial(_drop, user_ids))


def forget_user(user) -> None:
    """For code that changes what a signed-in page shows of an account without saving the account
    (none today: the lock is read by the sign-in, never by a signed-in page)."""
    forget_users([user.pk])


@receiver(post_save, sender=User, dispatch_uid="accounts.user_state.saved")
def _account_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if update_fields is not None and update_fields <= NOT_KEPT - {"password"}:
        return  # only the time of the last sign-in (Django's update_last_login): nothing kept changed
    forget_users([instance.pk])


@receiver(post_delete, sender=User, dispatch_uid="accounts.user_state.deleted")
def _account_deleted(sender, instance, **kwargs):
    forget_users([instance.pk])
