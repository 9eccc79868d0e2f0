"""The self-service menu's own name and its entries; the home page of a voting tenant."""

import pytest
from django.urls import NoReverseMatch

from tests.portal.test_forms_markup import page, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, sign_in, camille):
    return sign_in(camille)


def test_the_menu_is_not_named_like_the_profile_page(signed_in, camille, client):
    from django.utils import translation

    slug = camille.tenant.slug
    menu = page(client.get(f"/{slug}/self-service/"))
    profile = page(client.get(f"/{slug}/profile/"))
    headings = [text(h) for h in menu.find("h1") + menu.find("h2")]
    assert headings == ["Password self-service", "Manage my access"]
    assert not set(headings) & {text(h) for h in profile.find("h1")}
    with translation.override("fr"):
        assert translation.gettext("Manage my access") == "Gérer mes accès"


def test_the_personal_vault_is_listed_once_its_page_exists(signed_in, camille, client, monkeypatch):
    from accounts.selfservice.views import profile

    url = f"/{camille.tenant.slug}/self-service/"
    real_reverse = profile.reverse

    def without_vault(name, *args, **kwargs):
        if name == "selfservice:vault":
            raise NoReverseMatch(name)
        return real_reverse(name, *args, **kwargs)

    monkeypatch.setattr(profile, "reverse", without_vault)
    assert "My personal vault" not in [text(a) for a in page(client.get(url)).find("a")]
    monkeypatch.setattr(
        profile,
        "reverse",
        lambda name, *a, **k: (
            f"/{camille.tenant.slug}/self-service/vault/"
            if name == "selfservice:vault"
            else real_reverse(name, *a, **k)
        ),
    )
    links = {text(a): a["href"] for a in page(client.get(url)).find("a")}
    assert links["My personal vault"] == f"/{camille.tenant.slug}/self-service/vault/"


def test_a_voting_tenants_home_offers_the_profile_and_asks_to_verify_the_address(client, sign_in):
    from tests.factories import TenantFactory, UserFactory

    union = TenantFactory(slug="union-home", sign_in_with="email", modules=["voting"])
    member = UserFactory(
        tenant=union,
        identifier="m@union.test",
        email="m@union.test",
        email_verified=False,
        preferred_language="en",
    )
    sign_in(member)
    response = client.get(f"/{union.slug}/")
    home = page(response)
    links = {text(a): a["href"] for a in home.find("a")}
    assert links["Edit my profile"] == f"/{union.slug}/profile/"
    prompt = text(home.one("div", **{"class": "notice verify-email"}))
    assert "m@union.test is not verified yet" in prompt
    [form] = [f for f in home.find("form") if f.get("action") == f"/{union.slug}/profile/email/verify/"]
    member.email_verified = True
    member.save()
    assert not page(client.get(f"/{union.slug}/")).find("div", **{"class": "notice verify-email"})
