"""Forms as a person on a phone meets them, in French on the demo tenants: a refused new password
(the error under the field it concerns, the summary focused and linked to each field), the security
questions (masked answers, the whole question readable at desktop width), the devices table with its
headers on a phone, and the live password check that speaks only when its state changes."""

import pytest
from playwright.sync_api import expect

from .pages import no_sideways_scroll
from .test_self_service_journeys import PASSWORD, start


def to_new_password_page(page):
    """universite, password forgotten: the code, then the employee number and PIN."""
    page.goto("/universite/sign-in/")
    page.get_by_role("link", name="Mot de passe oublié?").click()
    page.get_by_label("Code d’accès").fill("DEMO12345")
    page.get_by_role("button", name="Continuer").click()
    page.get_by_label("Matricule").fill("100200")
    page.get_by_label("NIP").fill("4321")
    page.get_by_role("button", name="Continuer").click()
    expect(page.locator("#password-rules")).to_be_visible()


@pytest.mark.parametrize("screen", ["phone"])
def test_a_refused_password_shows_its_error_on_the_field_and_focuses_the_summary(
    demo, page, screen, screenshot, browser_errors
):
    to_new_password_page(page)
    first = page.get_by_label("Nouveau mot de passe", exact=True)
    # The rules are read with the field.
    assert "password-rules-list" in first.get_attribute("aria-describedby").split()
    first.fill("court")
    page.get_by_label("Confirmation du nouveau mot de passe").fill("autre")
    page.get_by_role("button", name="Enregistrer le nouveau mot de passe").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("ont été vidés")
    expect(summary).not_to_contain_text("rien de ce que vous avez saisi")
    expect(page.locator("#id_new_password1_error")).to_contain_text("15")
    expect(page.locator("#id_new_password2_error")).to_be_visible()
    no_sideways_scroll(page)
    screenshot(page, "password-error")
    summary.get_by_role("link", name="Nouveau mot de passe", exact=True).click()
    expect(page.get_by_label("Nouveau mot de passe", exact=True)).to_be_focused()
    assert browser_errors == []


@pytest.mark.parametrize("screen", ["desktop"])
def test_the_live_check_speaks_only_when_its_state_changes(demo, page, screen, browser_errors):
    to_new_password_page(page)
    page.evaluate(
        """() => {
          window.spoken = [];
          const region = document.getElementById("password-rules-status");
          new MutationObserver(() => window.spoken.push(region.textContent))
            .observe(region, {childList: true, characterData: true, subtree: true});
        }"""
    )
    field = page.get_by_label("Nouveau mot de passe", exact=True)
    field.press_sequentially("Le traversier de Lévis part à midi", delay=5)
    expect(page.locator("#password-rules-count")).to_contain_text("caractères")
    spoken = [s for s in page.evaluate("window.spoken") if s]
    assert len(spoken) == 1, spoken  # once: when the length became enough
    assert browser_errors == []


@pytest.mark.parametrize("screen", ["desktop"])
def test_questions_are_whole_and_answers_masked_at_desktop_width(
    demo, page, screen, screenshot, browser_errors
):
    start(page, "poste", "E100001")
    page.get_by_role("link", name="Utiliser le mot de passe").click()
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Ouvrir une session").click()
    page.get_by_role("link", name="Mettre à jour les questions de sécurité").click()
    answers = page.locator("input[name$='-answer']")
    assert answers.count() >= 3
    for index in range(answers.count()):
        assert answers.nth(index).get_attribute("type") == "password"
    page.locator("select[name='form-0-question']").select_option(
        label="Quel est le nom du personnage principal de votre livre préféré? (3 à 30 caractères)"
    )
    # The chosen question, length rule included, fits in its select.
    overflow = page.evaluate(
        """() => [...document.querySelectorAll("select[name$='-question']")].map(select => {
          const style = getComputedStyle(select);
          const canvas = document.createElement("canvas").getContext("2d");
          canvas.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
          const text = select.options[select.selectedIndex].text;
          const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
          const room = select.clientWidth - padding - 24;
          return canvas.measureText(text).width > room ? text : null;
        }).filter(Boolean)"""
    )
    assert overflow == []
    page.get_by_label("Afficher les réponses pendant la saisie").check()
    assert answers.first.get_attribute("type") == "text"
    screenshot(page, "questions")
    assert browser_errors == []


@pytest.mark.parametrize("screen", ["phone"])
def test_the_devices_table_keeps_its_headers_on_a_phone(demo, page, screen, screenshot, browser_errors):
    from accounts.devices import AuthenticatorDevice
    from accounts.models import User

    person = User.objects.get(tenant__slug="poste", identifier="E100001")
    device = AuthenticatorDevice.start(person, "Téléphone perso")
    device.confirmed = True
    device.save()
    start(page, "poste", "E100001")
    page.get_by_role("link", name="Utiliser le mot de passe").click()
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Ouvrir une session").click()
    page.goto("/poste/devices/")
    labels = page.evaluate(
        """() => [...document.querySelectorAll(".table td[data-label]")]
          .map(td => getComputedStyle(td, "::before").content)"""
    )
    assert any("Ajouté" in label for label in labels), labels
    no_sideways_scroll(page)
    screenshot(page, "devices")
    assert browser_errors == []
