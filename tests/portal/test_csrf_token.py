"""Django's CSRF secrets and masks are drawn by portal.csrf (one read of the random source), and the
masks applied and removed by it: the token is still a fresh mask of the browser's secret on every
page, exactly as Django computes it, Django's middleware accepts it and refuses anything else, a first
visit still gets its secret and cookie, and a sign-in a new secret."""

import re
from collections import Counter
from unittest import mock

import pytest
from django.middleware import csrf as django_csrf
from django.middleware.csrf import CSRF_ALLOWED_CHARS
from django.test import Client

from portal import csrf, randomness

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


# Django 5.2's own _mask_cipher_secret (with its mask given) and _unmask_cipher_token, the reference.
def django_mask(secret, mask):
    chars = CSRF_ALLOWED_CHARS
    pairs = zip((chars.index(x) for x in secret), (chars.index(x) for x in mask), strict=True)
    return mask + "".join(chars[(x + y) % len(chars)] for x, y in pairs)


def _unmask_cipher_token(token):
    mask, token = token[:32], token[32:]
    chars = CSRF_ALLOWED_CHARS
    pairs = zip((chars.index(x) for x in token), (chars.index(x) for x in mask), strict=True)
    return "".join(chars[x - y] for x, y in pairs)


def _mask_cipher_secret(secret):
    return django_csrf._mask_cipher_secret(secret)  # portal.csrf's, as Django's middleware calls it


def strict_browser():
    return Client(enforce_csrf_checks=True)


def signed_in_strict(sign_in, user):
    browser = sign_in(user, client=Client())
    browser.handler.enforce_csrf_checks = True
    return browser


def tokens(page) -> list[str]:
    return TOKEN.findall(page.content.decode())


@pytest.mark.django_db
def test_a_first_visit_gets_a_secret_its_cookie_and_a_token_of_it(tenant_a):
    browser = strict_browser()
    page = browser.get("/alpha/sign-in/")
    secret = browser.cookies["csrftoken"].value
    assert len(secret) == 32
    found = tokens(page)
    assert found and all(len(t) == 64 and _unmask_cipher_token(t) == secret for t in found)


@pytest.mark.django_db
def test_every_page_masks_the_secret_afresh_and_sends_the_cookie_again(sign_in, user_a):
    browser = signed_in_strict(sign_in, user_a)
    secret = browser.cookies["csrftoken"].value
    first, second = browser.get("/alpha/"), browser.get("/alpha/")
    # One token per page (in each of its forms), as with Django's; another on the next page.
    assert len(set(tokens(first))) == len(set(tokens(second))) == 1 and len(tokens(first)) >= 2
    seen = set(tokens(first) + tokens(second))
    assert len(seen) == 2 and {_unmask_cipher_token(t) for t in seen} == {secret}
    assert second.cookies["csrftoken"].value == secret  # the expiry renewed, as Django does


@pytest.mark.django_db
def test_the_token_of_a_page_is_accepted_and_a_changed_one_refused(sign_in, user_a):
    browser = signed_in_strict(sign_in, user_a)
    token = tokens(browser.get("/alpha/"))[0]
    changed = token[:40] + ("a" if token[40] != "a" else "b") + token[41:]
    refused = browser.post("/alpha/i18n/setlang/", {"language": "en", "csrfmiddlewaretoken": changed})
    assert refused.status_code == 403
    accepted = browser.post("/alpha/i18n/setlang/", {"language": "en", "csrfmiddlewaretoken": token})
    assert accepted.status_code == 302


def test_the_mask_draws_every_character_alike():
    counts = Counter(char for _ in range(2000) for char in _mask_cipher_secret("a" * 32)[:32])
    assert set(counts) == set(CSRF_ALLOWED_CHARS)
    expected = 2000 * 32 / len(CSRF_ALLOWED_CHARS)  # about 1,032
    assert all(0.8 * expected < n < 1.2 * expected for n in counts.values()), counts


def test_bytes_that_would_favour_some_characters_are_skipped():
    # 248 and above would map to the first 8 characters a second time: they are never used.
    draws = iter([bytes([255, 248, 250] * 14), bytes(range(40))])
    with mock.patch("portal.randomness.os.urandom", lambda n: next(draws)[:n]):
        mask = _mask_cipher_secret("0" * 32)[:32]
    assert mask == CSRF_ALLOWED_CHARS[:32]


@pytest.mark.django_db
def test_the_pages_mask_with_one_read_of_the_random_source(sign_in, user_a):
    browser = sign_in(user_a, client=Client())
    with mock.patch("portal.randomness.os.urandom", wraps=randomness.os.urandom) as urandom:
        page = browser.get("/alpha/")
    assert len(set(tokens(page))) == 1 and urandom.call_count <= 2  # a second read only if bytes skipped


@pytest.mark.django_db
def test_signing_in_puts_a_new_secret_in_place_of_the_old_which_is_refused_after(user_a, password):
    browser = strict_browser()
    before = tokens(browser.get("/alpha/sign-in/"))[0]
    old = browser.cookies["csrftoken"].value
    with mock.patch("secrets.choice", side_effect=AssertionError("one read, not 32 calls")):
        signed_in = browser.post(
            "/alpha/sign-in/", {"username": "A000001", "password": password, "csrfmiddlewaretoken": before}
        )
    assert signed_in.status_code == 302
    new = signed_in.cookies["csrftoken"].value
    assert new != old and len(new) == 32 and set(new) <= set(CSRF_ALLOWED_CHARS)
    # The page's token is of the new secret; the token of the sign-in page no longer passes.
    assert {_unmask_cipher_token(t) for t in tokens(browser.get("/alpha/"))} == {new}
    refused = browser.post("/alpha/i18n/setlang/", {"language": "en", "csrfmiddlewaretoken": before})
    assert refused.status_code == 403


def test_new_secrets_draw_every_character_alike():
    counts = Counter(char for _ in range(2000) for char in csrf.new_secret())
    assert set(counts) == set(CSRF_ALLOWED_CHARS)
    expected = 2000 * 32 / len(CSRF_ALLOWED_CHARS)
    assert all(0.8 * expected < n < 1.2 * expected for n in counts.values()), counts


def test_the_masks_are_applied_and_removed_as_django_does():
    assert django_csrf._mask_cipher_secret is csrf.mask_secret
    assert django_csrf._unmask_cipher_token is csrf.unmask_token
    for _ in range(300):
        secret, mask = csrf.new_secret(), csrf.new_secret()
        with mock.patch("portal.csrf.new_secret", return_value=mask):
            token = csrf.mask_secret(secret)
        assert token == django_mask(secret, mask)
        assert csrf.unmask_token(token) == _unmask_cipher_token(token) == secret
    # Every pair of characters, the alphabet's ends included.
    ends = CSRF_ALLOWED_CHARS[0] * 16 + CSRF_ALLOWED_CHARS[-1] * 16
    for secret, mask in [(ends, ends[::-1]), (ends[::-1], ends), (ends, ends)]:
        with mock.patch("portal.csrf.new_secret", return_value=mask):
            assert csrf.mask_secret(secret) == django_mask(secret, mask)
        assert csrf.unmask_token(django_mask(secret, mask)) == secret


@pytest.mark.django_db
def test_a_token_with_a_character_outside_the_alphabet_is_refused_not_an_error(sign_in, user_a):
    browser = signed_in_strict(sign_in, user_a)
    token = tokens(browser.get("/alpha/"))[0]
    for bad in [token[:40] + "-" + token[41:], token[:40] + "é" + token[41:], token[:63]]:
        refused = browser.post("/alpha/i18n/setlang/", {"language": "en", "csrfmiddlewaretoken": bad})
        assert refused.status_code == 403
