"""Django's CSRF token for templates, masked with one call to the system's random source instead of 32.

Every page with a form shows the CSRF secret masked afresh (a random mask, then the secret shifted by
it: BREACH cannot read the secret out of compressed pages). Django draws the mask's 32 characters with
`secrets.choice`, a `getrandom` call each, and finds each character's place with `str.index`: about
40 µs of a signed-in page (benchmarks/README.md, "The signed-in page against plain Django"). The same
token, built from one `os.urandom` read by rejection sampling (a byte counts only below the largest
multiple of 62, so every character is equally likely, as with `secrets.choice`). Django's middleware
checks it exactly as its own; a request without a CSRF secret yet goes through Django's `get_token`,
which makes the secret and its cookie.

The same generator draws Django's new secrets (`new_secret`, installed by PortalConfig.ready in place of
`django.middleware.csrf._get_new_csrf_string`): the first visit's, and the one `rotate_token` puts in
place of the old at every sign-in, which Django drew with 32 `secrets.choice` (about 80 µs of a
sign-in under load, benchmarks/README.md, "Sign-in with less around the hash"). Django's middleware
still sets the cookie from `request.META["CSRF_COOKIE"]` when `CSRF_COOKIE_NEEDS_UPDATE` says so."""

import os

from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
from django.middleware.csrf import get_token as django_get_token

_CHARS = CSRF_ALLOWED_CHARS
_BASE = len(_CHARS)  # 62
_PLACE = {char: place for place, char in enumerate(_CHARS)}
_BELOW = 256 - 256 % _BASE  # bytes at or above this would favour the first characters


def _random_places(count: int) -> list[int]:
    places: list[int] = []
    while len(places) < count:
        places += [byte % _BASE for byte in os.urandom(count + 8) if byte < _BELOW]
    return places[:count]


def new_secret() -> str:
    """django.middleware.csrf._get_new_csrf_string: 32 characters of CSRF_ALLOWED_CHARS, uniform."""
    return "".join([_CHARS[place] for place in _random_places(CSRF_SECRET_LENGTH)])


def mask_secret(secret: str) -> str:
    """django.middleware.csrf._mask_cipher_secret: a fresh mask, then the secret shifted by it."""
    mask = _random_places(CSRF_SECRET_LENGTH)
    return "".join([_CHARS[m] for m in mask]) + "".join(
        [_CHARS[(_PLACE[s] + m) % _BASE] for s, m in zip(secret, mask, strict=True)]
    )


def get_token(request) -> str:
    """django.middleware.csrf.get_token, masking with mask_secret."""
    secret = request.META.get("CSRF_COOKIE")
    if secret is None or len(secret) != CSRF_SECRET_LENGTH:
        return django_get_token(request)
    # As Django does: the cookie is used, so it is sent again (its expiry renewed).
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    return mask_secret(secret)
