"""Random strings over an alphabet, every character equally likely, from one read of the system's
random source.

Django's `get_random_string` draws each character with `secrets.choice`: one `getrandom` system call
per character. Here a string is one `os.urandom` read: a byte is kept only below the largest multiple
of the alphabet's size (so every character is equally likely, as with `secrets.choice`), and
`bytes.translate` drops the others and maps the kept ones to characters, in C, instead of a Python
step per character. Used for new session keys (accounts.sessions) and CSRF secrets and masks
(portal.csrf): a sign-in draws four such strings, every page one (benchmarks/README.md, "Sign-in:
the measure made steady")."""

import os
from functools import lru_cache


@lru_cache(maxsize=8)
def _tables(alphabet: str) -> tuple[bytes, bytes]:
    """The bytes to drop, and the byte -> character table, for an ASCII alphabet of 2 to 256."""
    size = len(alphabet)
    if not 2 <= size <= 256 or not alphabet.isascii() or len(set(alphabet)) != size:
        raise ValueError("the alphabet must be 2 to 256 distinct ASCII characters")
    below = 256 - 256 % size  # bytes at or above this would favour the alphabet's first characters
    return bytes(range(below, 256)), bytes(ord(alphabet[byte % size]) for byte in range(256))


def random_string(length: int, alphabet: str) -> str:
    """`length` characters of `alphabet`, each drawn uniformly and independently."""
    drop, table = _tables(alphabet)
    drawn = b""
    while len(drawn) < length:
        drawn += os.urandom(length + 8).translate(None, drop)
    return drawn[:length].translate(table).decode("ascii")
