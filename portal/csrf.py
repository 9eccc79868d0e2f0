"""Django's CSRF secrets and masks drawn with one read of the system's random source instead of 32.

Django draws a new CSRF secret (a first visit's, and the one `rotate_token` puts in place of the old at
every sign-in) and the mask of every page's token (a random mask, then the secret shifted by it: BREACH
cannot read the secret out of compressed pages) with `_get_new_csrf_string`: 32 `secrets.choice`, a
`getrandom` call each, about 40 µs of a signed-in page and 80 µs of a sign-in under load
(benchmarks/README.md, "The signed-in page against plain Django", "Sign-in with less around the hash").
`new_secret`, installed in its place by PortalConfig.ready, draws the same 32 characters, each as
likely, from one `os.urandom` read (portal.randomness). Everything else is Django's: the token, its
check, the cookie and its renewal."""

from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH

from .randomness import random_string


def new_secret() -> str:
    """django.middleware.csrf._get_new_csrf_string: 32 characters of CSRF_ALLOWED_CHARS, uniform."""
    return random_string(CSRF_SECRET_LENGTH, CSRF_ALLOWED_CHARS)
