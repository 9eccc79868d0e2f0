"""Django's CSRF secrets and masks drawn with one read of the system's random source instead of 32.

Django draws a new CSRF secret (a first visit's, and the one `rotate_token` puts in place of the old at
every sign-in) and the mask of every page's token (a random mask, then the secret shifted by it: BREACH
cannot read the secret out of compressed pages) with `_get_new_csrf_string`: 32 `secrets.choice`, a
`getrandom` call each, about 40 µs of a signed-in page and 80 µs of a sign-in under load
(benchmarks/README.md, "The signed-in page against plain Django", "Sign-in with less around the hash").
`new_secret`, installed in its place by PortalConfig.ready, draws the same 32 characters from one
`os.urandom` read by rejection sampling (a byte counts only below the largest multiple of 62, so every
character is equally likely, as with `secrets.choice`). Everything else is Django's: the token, its
check, the cookie and its renewal."""

import os

from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH

_CHARS = CSRF_ALLOWED_CHARS
_BASE = len(_CHARS)  # 62
_BELOW = 256 - 256 % _BASE  # bytes at or above this would favour the first characters


def _random_places(count: int) -> list[int]:
    places: list[int] = []
    while len(places) < count:
        places += [byte % _BASE for byte in os.urandom(count + 8) if byte < _BELOW]
    return places[:count]


def new_secret() -> str:
    """django.middleware.csrf._get_new_csrf_string: 32 characters of CSRF_ALLOWED_CHARS, uniform."""
    return "".join([_CHARS[place] for place in _random_places(CSRF_SECRET_LENGTH)])
