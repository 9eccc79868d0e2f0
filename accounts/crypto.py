"""Secrets kept by the database but useless without keys that live outside it (PORTAIL_DATA_KEYS).

- encrypt / decrypt: authenticated encryption (Fernet: AES-128-CBC with HMAC-SHA256) of the TOTP keys.
  The first key encrypts; every listed key decrypts, so a key can be rotated without downtime.
- keyed_digest: HMAC-SHA256 of low-entropy identity data (the last six digits of the SIN), so the
  table alone cannot be brute-forced: a million candidates are nothing for a plain hash.
"""

import base64
import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, MultiFernet
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
