"""The personal vault in the browser, in French at phone width, by keyboard: on the demo `poste`, the
employee adds an entry, sees only its name in the list, opens it with the password again, and finds
the opening in the history of changes (docs/journeys.md#menu)."""

import pytest
from playwright.sync_api import expect

from .pages import no_sideways_scroll

PASSWORD = "Demo-Portal-2026"
SECRET = "Crocus-du-printemps-8842"


@pytest.mark.parametrize("screen", ["phone"])
def test_employee_keeps_a_secret_in_the_personal_vault_and_opens_it_with_the_password(
    demo, page, screen, screenshot, browser_errors
):
    page.goto("/poste/sign-in/")
    page.locator("#id_username").fill("E100001")
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_label("Mot de passe", exact=True).press("Enter")
    page.goto("/poste/self-service/")
    page.get_by_role("link", name="Voûte personnelle").click()
    expect(page.get_by_role("heading", name="Voûte personnelle", level=1)).to_be_visible()
    expect(page.get_by_text("quiconque le réinitialise par les étapes de récupération")).to_be_visible()
    screenshot(page, "01-empty-vault")

    page.get_by_role("link", name="Ajouter une entrée").click()
    page.get_by_label("Nom de l’entrée").fill("Caisse populaire")
    page.keyboard.press("Tab")
    page.keyboard.type("camille.tremblay")
    page.get_by_label("Secret").fill(SECRET)
    page.get_by_label("Note").fill("Question : ville natale")
    no_sideways_scroll(page)
    screenshot(page, "02-add")
    page.get_by_label("Secret").press("Enter")

    expect(page.get_by_text("L’entrée est enregistrée dans votre voûte.")).to_be_visible()
    expect(page.locator(".vault-list strong")).to_have_text(["Caisse populaire"])
    expect(page.get_by_text(SECRET)).to_have_count(0)
    no_sideways_scroll(page)
    screenshot(page, "03-list")

    page.get_by_role("link", name="Ouvrir Caisse populaire").click()
    expect(page.get_by_text(SECRET)).to_have_count(0)
    page.get_by_label("Votre mot de passe").fill("pas le bon")
    page.get_by_label("Votre mot de passe").press("Enter")
    expect(page.get_by_text("Votre mot de passe est incorrect.").first).to_be_visible()
    expect(page.get_by_text(SECRET)).to_have_count(0)
    page.get_by_label("Votre mot de passe").fill(PASSWORD)
    page.get_by_label("Votre mot de passe").press("Enter")
    expect(page.get_by_text(SECRET)).to_be_visible()
    expect(page.get_by_text("camille.tremblay")).to_be_visible()
    no_sideways_scroll(page)
    screenshot(page, "04-opened")

    page.goto("/poste/self-service/history/")
    expect(page.get_by_text("Entrée de la voûte personnelle ouverte")).to_be_visible()
    expect(page.get_by_text(SECRET)).to_have_count(0)
    screenshot(page, "05-history")
    assert browser_errors == []
