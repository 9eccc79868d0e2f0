"""French and English values: the active language's, or the French one when the English is empty."""

import pytest
from django.utils import translation

from tests.factories import TenantFactory

pytestmark = pytest.mark.django_db


def test_each_pair_reads_in_the_active_language_and_falls_back_to_french():
    tenant = TenantFactory(
        slug="duo", name_fr="Duo FR", name_en="Duo EN", helpdesk_fr="Aide", helpdesk_en="", notice_fr="Avis"
    )
    policy = tenant.account_settings
    with translation.override("en"):
        assert (tenant.name, tenant.helpdesk, policy.notice) == ("Duo EN", "Aide", "Avis")
    with translation.override("fr-ca"):
        assert (tenant.name, tenant.helpdesk, policy.notice) == ("Duo FR", "Aide", "Avis")


def test_the_sign_in_page_shows_the_hint_in_the_visitors_language(client):
    TenantFactory(slug="indice", identifier_hint_fr="Sur la carte.", identifier_hint_en="On the card.")
    assert "On the card." in client.get("/indice/sign-in/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Sur la carte." in client.get("/indice/sign-in/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
