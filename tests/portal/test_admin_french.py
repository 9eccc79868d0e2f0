"""The help desk in French: times read "14 h 09", the audit entry's heading is in the tenant's time
zone, every column header is French, and the titles are not Django's generic "Modification de
utilisateur"."""

import datetime
import re

import pytest
from django.test import Client

from accounts.actions import do_start_device
from portal.admin_sites import helpdesk_site
from portal.models import AuditEntry

# 19:09 UTC on a winter day is 14:09 in Montréal (the tenant's zone) and 20:09 in Paris.
AT = datetime.datetime(2026, 1, 15, 19, 9, tzinfo=datetime.UTC)


@pytest.fixture
def desk_fr(staff_a):
    client = Client(HTTP_ACCEPT_LANGUAGE="fr-ca")
    client.force_login(staff_a)
    return client


@pytest.fixture
def entry(tenant_a, user_a):
    tenant_a.time_zone = "America/Montreal"
    tenant_a.save()
    return AuditEntry.objects.create(
        tenant=tenant_a,
        action="account.unlocked",
        target_type="accounts.user",
        target_id=str(user_a.pk),
        target_label="Alice",
        created_at=AT,
    )


def text(response) -> str:
    return re.sub(r"[ \t\r\n]+", " ", response.content.decode())  # keeps the no-break spaces


def test_times_read_14_h_09(desk_fr, entry):
    page = text(desk_fr.get("/alpha/admin/portal/auditentry/"))
    assert "15 janvier 2026, 14\xa0h\xa009" in page
    assert "14\xa002\xa009" not in page


def test_the_audit_entry_heading_is_in_the_tenants_time_zone(desk_fr, entry):
    page = text(desk_fr.get(f"/alpha/admin/portal/auditentry/{entry.pk}/change/"))
    heading = re.search(r"<h2>(.*?)</h2>", page).group(1)
    assert "14\xa0h\xa009" in heading and "19:09" not in heading


def test_the_titles_read_well_in_french(desk_fr, user_a, entry):
    person = text(desk_fr.get(f"/alpha/admin/accounts/user/{user_a.pk}/change/"))
    assert "Modification de utilisateur" not in person and "<h1>Compte d’une personne</h1>" in person
    people = text(desk_fr.get("/alpha/admin/accounts/user/"))
    assert "Sélectionnez l’objet" not in people and "<h1>Personnes</h1>" in people
    log = text(desk_fr.get(f"/alpha/admin/portal/auditentry/{entry.pk}/change/"))
    assert "Affichage de" not in log and "<h1>Entrée du journal d’audit</h1>" in log
    added = text(desk_fr.get("/alpha/admin/accounts/user/add/"))
    assert "<h1>Ajouter une personne</h1>" in added
    index = text(desk_fr.get("/alpha/admin/"))
    assert "Aucun(e)" not in index


ENGLISH_HEADERS = {"User", "Name", "Confirmed", "Created", "Last used", "Status", "Lock"}


@pytest.mark.parametrize("model", list(helpdesk_site._registry), ids=lambda m: m._meta.label_lower)
def test_no_english_column_header_or_title_on_a_help_desk_list(desk_fr, user_a, entry, model):
    do_start_device(user=user_a, name="Téléphone")
    url = f"/alpha/admin/{model._meta.app_label}/{model._meta.model_name}/"
    page = desk_fr.get(url).content.decode()
    headers = {
        re.sub(r"<[^>]+>|\d|\s+", " ", h).strip()
        for h in re.findall(r'<th scope="col"[^>]*>(.*?)</th>', page, re.S)
    }
    assert not headers & ENGLISH_HEADERS
    assert "Sélectionnez l’objet" not in page


def test_a_device_page_is_in_french(desk_fr, user_a):
    device = do_start_device(user=user_a, name="Téléphone")
    page = text(desk_fr.get(f"/alpha/admin/accounts/authenticatordevice/{device.pk}/change/"))
    labels = re.findall(r"<label[^>]*>(.*?)</label>", page)
    assert labels and not {label.rstrip(" :") for label in labels} & ENGLISH_HEADERS


def test_the_help_desk_sign_in_has_one_level_one_heading(tenant_a):
    page = Client(HTTP_ACCEPT_LANGUAGE="fr-ca").get("/alpha/admin/login/").content.decode()
    assert re.findall(r"<h1[^>]*>(.*?)</h1>", page) == ["Connexion"]


def test_help_desk_pages_carry_the_accessibility_styles(desk_fr):
    # The rules themselves are checked in a browser (tests/e2e/test_help_desk_agent_on_the_phone.py).
    page = desk_fr.get("/alpha/admin/accounts/user/").content.decode()
    assert '<link rel="stylesheet" href="/static/portal/helpdesk.css">' in page
