"""Django's cached-database sessions, with one write less at sign-in.

At sign-in Django rotates the session key (`cycle_key`): it writes a new row at once, then rewrites
it when the response is saved. When the visitor has no session yet there is nothing to rotate away
from: the row is written once, with a fresh key, when the response is saved. A session that exists
(and could have been planted by someone else) is still rotated exactly as Django does.

And the session and its person in one round trip: a signed-in page reads the session, then the
person's cached state (accounts/user_state.py). When this process has read the session before, it
knows which account the session was signed in to, and reads that account's state in the same MGET as
the session. What the session says now decides: the state read is kept for `load_user` only when the
session still holds that account."""

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDbSessionStore
from django.core.cache import DEFAULT_CACHE_ALIAS
from django.utils.crypto import get_random_string

from . import user_state

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

    def _get_new_session_key(self):
        # Django asks the cache and then the database whether a fresh random key is taken (a Redis
        # EXISTS and a SELECT on every sign-in). A key of 32 characters out of 36 does not collide in
        # practice, and if it ever did, the INSERT of `save(must_create=True)` fails on the primary
        # key, Django raises CreateError and `create()` draws another key: nobody's session is reused.
        return get_random_string(32, VALID_KEY_CHARS)
