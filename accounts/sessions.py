"""Django's cached-database sessions, with one write less at sign-in.

At sign-in Django rotates the session key (`cycle_key`): it writes a new row at once, then rewrites
it when the response is saved. When the visitor has no session yet there is nothing to rotate away
from: the row is written once, with a fresh key, when the response is saved. A session that exists
(and could have been planted by someone else) is still rotated exactly as Django does."""

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDbSessionStore


class SessionStore(CachedDbSessionStore):
    def cycle_key(self):
        if self.session_key is None:
            self._get_session()  # keep what is already there (a pending message, say)
            self.modified = True
            return
        super().cycle_key()
