"""Django's cached-database sessions, written once at sign-in.

At sign-in Django rotates the session key (`cycle_key`): it writes a new row at once, then rewrites
it when the response is saved. When the visitor has no session yet there is nothing to rotate away
from: the row is written once, with a fresh random key, when the response is saved (one INSERT and
one cache write instead of a transaction around the INSERT, and two cache writes). A session that
exists (and could have been planted by someone else) is still rotated exactly as Django does. A key
the browser sends that names no session is never taken: Django's `load()` forgets it, and the new
key is drawn here (benchmarks/README.md, "Sign-in with less around the hash").

And the session and its person in one round trip: a signed-in page reads the session, then the
person's cached state (accounts/user_state.py). When this process has read the session before, it
knows which account the session was signed in to, and reads that account's state in the same MGET as
the session. What the session says now decides: the state read is kept for `load_user` only when the
session still holds that account."""

import logging
import threading
from contextlib import contextmanager

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDbSessionStore
from django.core import signing
from django.core.cache import DEFAULT_CACHE_ALIAS
from django.db import DatabaseError, IntegrityError, connections, router, transaction

from portal.randomness import random_string

from . import lockout, user_state

logger = logging.getLogger("django.contrib.sessions")

# Per process: session key -> the account id the session held when this process last read it. A hint
# only (the session read with it decides); forgotten all at once past MOST_OWNERS.
_owners: dict[str, str] = {}
MOST_OWNERS = 20_000


class SessionStore(CachedDbSessionStore):
    # The account's state read with the session: (account id, what user_state.load_user reads), or None.
    user_state_read = None

    def load(self):
        owner = _owners.get(self.session_key)
        data = None
        if owner is not None and settings.SESSION_CACHE_ALIAS == DEFAULT_CACHE_ALIAS:
            try:
                data, state = user_state.read_with_state(self.cache_key, owner)
            except Exception:
                data = None  # read as Django does below, which handles a cache that fails
            if data is not None and data.get(SESSION_KEY) == owner:
                self.user_state_read = (owner, state)
        if data is None:
            data = super().load()
        self._remember_owner(data.get(SESSION_KEY))
        return data

    def _remember_owner(self, owner):
        if owner is None:
            _owners.pop(self.session_key, None)
            return
        if len(_owners) >= MOST_OWNERS:
            _owners.clear()
        _owners[self.session_key] = owner

    def cycle_key(self):
        if self.session_key is None:
            self._get_session()  # keep what is already there (a pending message, say)
            self.modified = True
            return
        super().cycle_key()

    def encode(self, session_dict):
        # Django compresses the row's data with zlib when that makes it shorter: a session is a few
        # hundred characters, mostly a hash that does not compress, and zlib sets up some 256 KiB of
        # state for each call (about 0.2 M instructions, with the hash's caches already cold). Rows
        # written compressed before still read: decode() knows both.
        return signing.dumps(session_dict, salt=self.key_salt, serializer=self.serializer)

    def _get_new_session_key(self):
        # Django asks the cache and then the database whether a fresh random key is taken (a Redis
        # EXISTS and a SELECT on every sign-in). A key of 32 characters out of 36 does not collide in
        # practice, and if it ever did, the INSERT fails on the primary key and another key is drawn,
        # as Django does: nobody's session is reused.
        return _random_key()

    def save(self, must_create=False):
        if self.session_key is not None:
            return super().save(must_create)
        self._insert_new()
        try:
            # With the address's give-back held by the sign-in, in one Redis call (accounts.lockout).
            shared = settings.SESSION_CACHE_ALIAS == DEFAULT_CACHE_ALIAS
            age = self.get_expiry_age()
            if not (shared and lockout.set_with_held_give_backs(self.cache_key, self._session, age)):
                self._cache.set(self.cache_key, self._session, age)
        except Exception:
            logger.exception("Error saving to cache (%s)", self._cache)

    def _insert_new(self):
        """The new session's row under a fresh key: one INSERT, atomic by itself (a savepoint around it
        inside a transaction, so that a collision does not break the caller's transaction). Written
        as SQL: the model's save() costs more CPU than the statement, and no receiver listens to the
        session model's signals."""
        using = router.db_for_write(self.model)
        connection = connections[using]
        data = self.encode(self._get_session(no_load=True))
        expires = connection.ops.adapt_datetimefield_value(self.get_expiry_date())
        while True:
            self._session_key = self._get_new_session_key()
            try:
                if connection.in_atomic_block:
                    with transaction.atomic(using=using):
                        self._execute_insert(connection, data, expires)
                else:
                    self._execute_insert(connection, data, expires)
            except IntegrityError:
                continue  # the key is someone's session: draw another
            self.modified = True
            return

    def _execute_insert(self, connection, data, expires):
        sql = _inserts.get((self.model, connection.vendor))
        if sql is None:
            meta, quote = self.model._meta, connection.ops.quote_name
            columns = ", ".join(quote(meta.get_field(name).column) for name in _COLUMNS)
            sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES (%s, %s, %s)"  # noqa: S608 - names from the model
            _inserts[(self.model, connection.vendor)] = sql
        params = [self._session_key, data, expires]
        # The sign-in's own writes, when they wait for this INSERT (hold_for_session).
        held = _take_held(connection)
        if held:
            sql, params = with_statements(held, sql, params)
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
        except IntegrityError:
            if held:  # a drawn key that is taken, or a held statement refused: those run on their own
                try:
                    run_together(connection, held)
                except IntegrityError as refused:
                    # Not a key to draw again: the sign-in's own writes failed, as they would have
                    # failed in the view (an account deleted meanwhile, say).
                    raise DatabaseError("the sign-in's writes were refused") from refused
            raise
        except Exception:
            _hold_again(held)  # run on their own when the request ends
            raise


def _random_key() -> str:
    """32 characters of VALID_KEY_CHARS drawn uniformly, as Django's get_random_string(32) draws them,
    from one random read instead of 32 (each a system call)."""
    return random_string(32, VALID_KEY_CHARS)


_COLUMNS = ("session_key", "session_data", "expire_date")
_inserts: dict = {}  # (session model, database vendor): the INSERT, written once per process


# The writes of a sign-in after the hash (last_login, the audit entry, the clear of the lock's
# reservation: accounts.signals.record_signed_in), held on PostgreSQL until the new session's INSERT,
# which carries them in its WITH clause: one round trip instead of two. Held only around a request
# (accounts.guard.HeldWritesMiddleware, outside the session middleware, which saves the session)
# and outside any transaction; what no INSERT takes (a session that existed and was rotated, a view
# that failed) is written when the request ends (benchmarks/README.md, "Sign-in: 2026-11-30 (third)
# session").
_held = threading.local()


@contextmanager
def writes_held():
    """Around a request: hold_for_session() may hold statements until the session's INSERT; what is
    left is run when the request ends, whatever the view did."""
    previous = getattr(_held, "statements", None)
    _held.statements = []
    try:
        yield
    finally:
        statements, _held.statements = _held.statements, previous
        if statements:
            run_together(connections[_session_alias()], statements)


def hold_for_session(connection, statements) -> bool:
    """Hold data-modifying statements [(sql, params)] for the new session's INSERT: True when held,
    False when the caller must run them now (no request around, a transaction open, not PostgreSQL,
    or the session is written elsewhere)."""
    held = getattr(_held, "statements", None)
    if (
        held is None
        or connection.vendor != "postgresql"
        or connection.in_atomic_block
        or connection.alias != _session_alias()
    ):
        return False
    held.extend(statements)
    return True


def run_together(connection, statements) -> None:
    """Run data-modifying statements [(sql, params)] as one: the last one, the others in its WITH."""
    *before, (sql, params) = statements
    with connection.cursor() as cursor:
        cursor.execute(*with_statements(before, sql, params))


def with_statements(statements, sql: str, params: list):
    """`sql` with `statements` in its WITH clause, each run once whether or not it is read
    (PostgreSQL's data-modifying WITH)."""
    if not statements:
        return sql, params
    clause = ", ".join(f"held_{n} AS ({statement})" for n, (statement, _params) in enumerate(statements))
    return f"WITH {clause} {sql}", [p for _statement, held in statements for p in held] + list(params)


def _take_held(connection) -> list:
    held = getattr(_held, "statements", None)
    if not held or connection.in_atomic_block or connection.alias != _session_alias():
        return []
    taken = list(held)
    held.clear()
    return taken


def _hold_again(statements) -> None:
    held = getattr(_held, "statements", None)
    if statements and held is not None:
        held[:0] = statements


def _session_alias() -> str:
    return router.db_for_write(SessionStore.get_model_class())
