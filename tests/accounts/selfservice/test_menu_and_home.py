"""The self-service menu's own name and its entries; the home page of a voting tenant."""

import pytest

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


def test_the_menu_lists_the_personal_vault_once(signed_in, camille, client):
    url = f"/{camille.tenant.slug}/self-service/"
    links = [(text(a), a["href"]) for a in page(client.get(url)).find("a")]
    vault = [link for link in links if link[1] == f"/{camille.tenant.slug}/self-service/vault/"]
    assert vault == [("Personal vault", f"/{camille.tenant.slug}/self-service/vault/")]


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
