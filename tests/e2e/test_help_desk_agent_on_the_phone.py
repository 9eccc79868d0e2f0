"""Journey: a help-desk agent of the demo `poste` on the phone, in French. Loïc calls: the agent types
"loic" (no accent), sees he is locked, unlocks him with the one button on his page. Then a caller
claims to be E100001 and gets the help-desk question wrong: the agent is told, and the check is in
the log as failed."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from accounts import lockout
from accounts.models import User
from portal.models import AuditEntry, Tenant


@pytest.fixture
def loic(transactional_db):
    call_command("seed_demo", "--force", verbosity=0)
    poste = Tenant.objects.get(slug="poste")
    person = User.objects.for_tenant(poste).get(identifier="E100002")  # the demo's locked Loïc
    key = lockout.lock_key(poste, user=person)
    assert lockout.current_state(poste, key).locked
    return person, key


def _tall_enough(page, selector):
    heights = [box["height"] for box in (link.bounding_box() for link in page.locator(selector).all()) if box]
    return heights and min(heights) >= 24


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_agent_finds_loic_unlocks_him_and_a_wrong_caller_is_logged(loic, page, screen, screenshot):
    person, key = loic
    page.goto("/poste/admin/login/")
    expect(page.locator("h1")).to_have_text("Connexion")
    page.locator("#id_username").fill("helpdesk@poste.example")
    page.locator("#id_password").fill("Demo-Portal-2026")
    page.locator("#id_password").press("Enter")
    expect(page.locator("#site-name")).to_be_visible()

    page.goto("/poste/admin/accounts/user/")
    expect(page.locator("h1")).to_have_text("Personnes")
    page.locator("#searchbar").fill("loic")
    page.locator("#searchbar").press("Enter")
    row = page.locator("#result_list tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Loïc")
    expect(row.locator("td.field-lock")).to_contain_text("Bloqué (")
    # What the accessibility checks asked for: filters big enough to tap, links that look like links.
    if screen == "desktop" or page.locator("#changelist-filter li a").first.is_visible():
        assert _tall_enough(page, "#changelist-filter li a")
    underline = page.locator(".breadcrumbs a").first.evaluate("a => getComputedStyle(a).textDecorationLine")
    assert underline == "underline"
    screenshot(page, "loic-found-locked")

    row.get_by_role("link", name="E100002").click()
    expect(page.locator("h1")).to_have_text("Compte d’une personne")
    expect(page.locator(".field-lock_status")).to_contain_text("bloqué encore")
    page.get_by_role("button", name="Débloquer maintenant").click()
    expect(page.locator("ul.messagelist")).to_contain_text("Le compte de Loïc Verrouillé est débloqué.")
    expect(page.locator(".field-lock_status")).to_contain_text("non bloqué")
    assert not lockout.current_state(person.tenant, key).locked
    screenshot(page, "loic-unlocked")

    page.goto("/poste/admin/accounts/user/")
    page.locator("#searchbar").fill("E100001")
    page.locator("#searchbar").press("Enter")
    page.locator("#result_list tbody tr").get_by_role("link", name="E100001").click()
    page.get_by_role("link", name="Vérifier un appelant avec les questions du service d’assistance").click()
    page.locator("form input[type=text]").first.fill("Tourtière")
    page.get_by_role("button", name="Vérifier les réponses").click()
    expect(page.locator("ul.messagelist li.error")).to_be_visible()
    expect(page.locator("table")).to_contain_text("✘")
    screenshot(page, "caller-wrong-answer")
    assert AuditEntry.objects.filter(action="selfservice.caller_check_failed").count() == 1
    assert not AuditEntry.objects.filter(action="selfservice.caller_verified").exists()
