"""portal.randomness: the session keys' and CSRF secrets' random strings (benchmarks/README.md,
"Sign-in: the measure made steady")."""

from collections import Counter

import pytest
from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.middleware.csrf import CSRF_ALLOWED_CHARS

from portal import randomness
from portal.randomness import random_string


@pytest.mark.parametrize("alphabet", [VALID_KEY_CHARS, CSRF_ALLOWED_CHARS])
def test_every_character_of_the_alphabet_is_drawn_alike_at_every_position(alphabet):
    strings = [random_string(32, alphabet) for _ in range(5000)]
    assert all(len(string) == 32 and set(string) <= set(alphabet) for string in strings)
    assert len(set(strings)) == len(strings)
    assert all({string[position] for string in strings} == set(alphabet) for position in range(32))
    counts = Counter("".join(strings))
    draws, chance = 5000 * 32, 1 / len(alphabet)
    expected, deviation = draws * chance, (draws * chance * (1 - chance)) ** 0.5
    # Without the rejection of the last bytes, the first 4 (of 36) or 8 (of 62) characters would come
    # up 14 % or 25 % more often: 9.5 and 12.8 standard deviations here. Six is the bound: a fair draw
    # passes it but for about one run in a hundred million.
    assert all(abs(n - expected) < 6 * deviation for n in counts.values()), counts


def test_the_bytes_that_would_favour_the_first_characters_are_dropped(monkeypatch):
    # 62 characters: 248 = 4 x 62 bytes map evenly; 248 to 255 would give "a" to "h" a fifth extra.
    reads = iter(
        [
            bytes(range(248, 256)) + bytes([0, 1, 61, 62]),
            bytes([255, 5, 250, 5, 5]),  # too few bytes kept: it reads again
            bytes([100, 200] * 5),
        ]
    )
    monkeypatch.setattr(randomness.os, "urandom", lambda count: next(reads))
    alphabet = CSRF_ALLOWED_CHARS
    assert random_string(4, alphabet) == alphabet[0] + alphabet[1] + alphabet[61] + alphabet[0]
    second = alphabet[5] * 3 + (alphabet[100 - 62] + alphabet[200 - 186]) * 4 + alphabet[100 - 62]
    assert random_string(12, alphabet) == second


@pytest.mark.parametrize("alphabet", ["", "a", "aa", "é" * 3, "x" * 300])
def test_an_alphabet_that_cannot_be_drawn_from_uniformly_is_refused(alphabet):
    with pytest.raises(ValueError):
        random_string(8, alphabet)
