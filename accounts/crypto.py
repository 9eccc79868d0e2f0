"""Secrets kept by the database but useless without keys that live outside it (PORTAIL_DATA_KEYS).

- encrypt / decrypt: authenticated encryption (Fernet: AES-128-CBC with HMAC-SHA256) of the TOTP keys.
  The first key encrypts; every listed key decrypts, so a key can be rotated without downtime.
- keyed_digest: HMAC-SHA256 of low-entropy identity data (the last six digits of the SIN), so the
  table alone cannot be brute-forced: a million candidates are nothing for a plain hash.
- hash_proof / check_proof: a PIN or a private number, checked like a password (Argon2id) but only
  after a keyed HMAC, for the same reason; older rows are sealed by wrap_hash and rewritten on use.
"""

import base64
import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


def _derive(raw: str, purpose: str) -> bytes:
    return hmac.new(raw.encode(), f"portail:{purpose}".encode(), hashlib.sha256).digest()


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(base64.urlsafe_b64encode(_derive(k, "fernet"))) for k in keys])


def _keys() -> tuple[str, ...]:
    return tuple(settings.PORTAIL_DATA_KEYS)


def encrypt(plain: str) -> str:
    return _fernet(_keys()).encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    return _fernet(_keys()).decrypt(token.encode()).decode()


def keyed_digest(purpose: str, value: str, key: str | None = None) -> str:
    key = key or _keys()[0]
    return hmac.new(_derive(key, purpose), value.encode(), hashlib.sha256).hexdigest()


def keyed_digests(purpose: str, value: str) -> list[str]:
    """The digest under every listed key: what a lookup matches while a key is being rotated."""
    return [keyed_digest(purpose, value, key) for key in _keys()]


# Low-entropy proofs (a PIN: 10⁴ values; a private number: 10⁶) -----------------------------------------
#
# Argon2id alone does not protect ten thousand candidates: whoever copies the table tries them all in
# minutes. The value is first run through HMAC with a data key (a "pepper" held outside the database),
# then hashed with the project's password hasher; the table alone is then worthless.
#
#   keyed$<key id>$<hash of HMAC(key, value)>   what set_* writes
#   wrapped$<encrypt(old hash)>                  a hash written before keys were applied, sealed in place
#                                                by a data migration: nobody had to type the value for
#                                                the row to be protected (a PIN is typed only when a
#                                                password is forgotten, which may be never)
#   <old hash>                                   a row the migration has not reached yet
#
# The two older forms verify the old way and, once the value is typed right, are rewritten as keyed.
# The key id tells which listed key made a keyed hash, so a rotation costs one verification, not one
# per listed key; a verification under a key other than the first rewrites the row under the first.

KEYED_PREFIX = "keyed$"
WRAPPED_PREFIX = "wrapped$"


def _key_id(key: str) -> str:
    return hmac.new(_derive(key, "key-id"), b"portail", hashlib.sha256).hexdigest()[:8]


def _peppered(purpose: str, value: str, key: str) -> str:
    return keyed_digest(f"proof:{purpose}", value, key)


def hash_proof(purpose: str, value: str) -> str:
    """What a row keeps of a low-entropy proof: the password hash of its keyed digest."""
    from django.contrib.auth.hashers import make_password

    key = _keys()[0]
    return f"{KEYED_PREFIX}{_key_id(key)}${make_password(_peppered(purpose, value, key))}"


def wrap_hash(stored: str) -> str:
    """An unkeyed hash sealed with the data key (the data migrations); empty and sealed rows unchanged."""
    if not stored or stored.startswith((KEYED_PREFIX, WRAPPED_PREFIX)):
        return stored
    return WRAPPED_PREFIX + encrypt(stored)


def check_proof(purpose: str, value: str, stored: str) -> tuple[bool, str | None]:
    """Whether `value` matches `stored`, and the row's new content when it should be rewritten (an
    older form, or a key that is no longer the first). Spends one password hash whatever `stored` is."""
    from django.contrib.auth.hashers import check_password, make_password

    if stored.startswith(KEYED_PREFIX):
        key_id, _sep, inner = stored[len(KEYED_PREFIX) :].partition("$")
        key = next((k for k in _keys() if hmac.compare_digest(_key_id(k), key_id)), None)
        if key is None:  # made under a key no longer listed: it cannot match any more
            make_password(value)
            return False, None
        stale = []
        ok = check_password(_peppered(purpose, value, key), inner, setter=lambda _raw: stale.append(True))
        rewrite = ok and (bool(stale) or key != _keys()[0])
        return ok, (hash_proof(purpose, value) if rewrite else None)
    if stored.startswith(WRAPPED_PREFIX):
        try:
            stored = decrypt(stored[len(WRAPPED_PREFIX) :])
        except InvalidToken:
            make_password(value)
            return False, None
    ok = check_password(value, stored)
    return ok, (hash_proof(purpose, value) if ok else None)
