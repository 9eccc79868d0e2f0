"""Each tenant has a privacy policy page, linked from the footer and from the lost-identifier form's
consent box."""

import pytest
from django.test import Client

from tests.factories import TenantFactory
from tests.portal.test_forms_markup import page, text

pytestmark = pytest.mark.django_db


def test_a_tenant_without_its_own_text_shows_the_portals_policy(client):
    tenant = TenantFactory(slug="priv-a", name_en="Demo Vault", helpdesk_en="Support: aide@coffre.example")
    shown = page(client.get(f"/{tenant.slug}/privacy/"))
    assert text(shown.one("h1")) == "Privacy policy"
    said = text(shown.one("main"))
    assert "Demo Vault uses this portal" in said
    assert "Write to the help desk: Support: aide@coffre.example" in said


def test_a_tenants_own_text_in_each_language():
    tenant = TenantFactory(
        slug="priv-b",
        privacy_policy_fr="Nos règles, en français.",
        privacy_policy_en="Our rules, in English.",
    )
    assert (
        "Our rules, in English."
        in Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/{tenant.slug}/privacy/").content.decode()
    )
    french = Client(HTTP_ACCEPT_LANGUAGE="fr").get(f"/{tenant.slug}/privacy/").content.decode()
    assert "Nos règles, en français." in french and "Politique de confidentialité" in french


def test_the_consent_box_and_the_footer_link_to_the_policy(client):
    tenant = TenantFactory(slug="priv-c", allow_lost_identifier=True)
    html = client.get(f"/{tenant.slug}/identifier/lost/").content.decode()
    footer = html[html.index("<footer") :]
    assert f'href="/{tenant.slug}/privacy/"' in footer
    form = page(client.get(f"/{tenant.slug}/identifier/lost/"))
    box = form.one("input", name="consent")
    note = form.by_id(box["aria-describedby"].split()[0])
    [link] = form.within(note, "a")
    assert link["href"] == f"/{tenant.slug}/privacy/" and text(link) == "Read the privacy policy"
