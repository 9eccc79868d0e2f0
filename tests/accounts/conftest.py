import re
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The per-address throttle and the recovery-mail interval live in the cache."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def client():
    """These tests read the pages in English (French is checked where it says so)."""
    from django.test import Client

    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def submit(client, django_capture_on_commit_callbacks):
    """POST like a browser; what the request queued on commit (mail) runs, as after a real commit."""

    def do(url, data, *, client=client, follow=False, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data, follow=follow, **extra)

    return do


def link_path(message) -> str:
    """The path of the one portal link in a mail (the text part)."""
    urls = re.findall(r"https?://\S+", message.body)
    assert len(urls) == 1, message.body
    return urlsplit(urls[0]).path


@pytest.fixture
def coffre(db):
    """A vault tenant: 3 failures lock for 120 minutes (docs/journeys.md#lockout-count)."""
    from tests.factories import TenantFactory

    return TenantFactory(
        slug="coffre-test",
        sign_in_with="identifier_or_email",
        modules=["vault"],
        lockout_threshold=3,
        lockout_minutes=120,
        allow_lost_identifier=True,
        identifier_hint_fr="Sur votre lettre d’enrôlement, en haut à droite.",
        identifier_hint_en="On your enrolment letter, top right.",
        notice_fr="Usage réservé aux salariés autorisés.",
        notice_en="For authorised employees only.",
    )


@pytest.fixture
def confirm_email(client, submit):
    """Follow a confirmation link as a person does: open it, then press the button."""

    def do(path, *, client=client):
        opened = client.get(path)
        assert opened.status_code == 302 and opened["Referrer-Policy"] == "no-referrer"
        button_page = opened["Location"]
        assert path.rstrip("/").rsplit("/", 1)[-1] not in button_page, "the token stays in the address"
        assert client.get(button_page).context["valid"], "the button page should accept the link"
        return submit(button_page, {}, client=client)

    return do
