"""Django's CSRF secrets drawn with one read of the system's random source instead of 32, and its
masks applied and removed a token at a time instead of a character at a time.

Django draws a new CSRF secret (a first visit's, and the one `rotate_token` puts in place of the old at
every sign-in) and the mask of every page's token (a random mask, then the secret shifted by it: BREACH
cannot read the secret out of compressed pages) with `_get_new_csrf_string`: 32 `secrets.choice`, a
`getrandom` call each, about 40 µs of a signed-in page and 80 µs of a sign-in under load
(benchmarks/README.md, "The signed-in page against plain Django", "Sign-in with less around the hash").
`new_secret`, installed in its place by PortalConfig.ready, draws the same 32 characters, each as
likely, from one `os.urandom` read (portal.randomness).

Django then shifts each character of the secret by the mask's (`_mask_cipher_secret`, every page with
a form) and back (`_unmask_cipher_token`, every POST) with two `str.index` scans and a Python step per
character: about a thousand bytecodes a token. `mask_secret` and `unmask_token`, installed in their
place, compute the same characters from a table of every pair, looked up in C. Everything else is
Django's: the token, its check (the format first, then a constant-time comparison), the cookie and its
renewal."""

from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH

from .randomness import random_string

_SIZE = len(CSRF_ALLOWED_CHARS)
_INDEX = {char: index for index, char in enumerate(CSRF_ALLOWED_CHARS)}
# (a character of the secret, the mask's) -> the token's; (the token's, the mask's) -> the secret's.
_SHIFTED = {
    (char, by): CSRF_ALLOWED_CHARS[(_INDEX[char] + _INDEX[by]) % _SIZE]
    for char in CSRF_ALLOWED_CHARS
    for by in CSRF_ALLOWED_CHARS
}
_SHIFTED_BACK = {(shifted, by): char for (char, by), shifted in _SHIFTED.items()}


def new_secret() -> str:
    """django.middleware.csrf._get_new_csrf_string: 32 characters of CSRF_ALLOWED_CHARS, uniform."""
    return random_string(CSRF_SECRET_LENGTH, CSRF_ALLOWED_CHARS)


def mask_secret(secret: str) -> str:
    """django.middleware.csrf._mask_cipher_secret: a fresh mask, then the secret shifted by it."""
    mask = new_secret()
    return mask + "".join(map(_SHIFTED.__getitem__, zip(secret, mask, strict=True)))


def unmask_token(token: str) -> str:
    """django.middleware.csrf._unmask_cipher_token: the secret of a masked token (whose format Django's
    middleware has checked before: 64 characters of CSRF_ALLOWED_CHARS)."""
    mask, shifted = token[:CSRF_SECRET_LENGTH], token[CSRF_SECRET_LENGTH:]
    return "".join(map(_SHIFTED_BACK.__getitem__, zip(shifted, mask, strict=True)))
