"""Journeys on the demo vault `coffre`, in French, as an employee does them: a sign-in that ends in
the lock message, a forgotten password through the mailbox, a lost identifier, and a first sign-in
(docs/journeys.md#lockout, #reset, #lostid, #first). Mail is read at the development mailbox page, as
in `./dev run`."""

import re

import pytest
from playwright.sync_api import expect

from .pages import no_sideways_scroll

PASSWORD = "Demo-Portal-2026"
NEW_PASSWORD = "Le traversier de Lévis part à midi"
PHONE_WIDTH = 375


def open_mail(page, subject):
    page.goto("/_dev/mailbox/")
    page.get_by_role("link", name=subject).first.click()
    return page.locator("pre.mail-body")


def choose_password(page, password):
    page.get_by_label("Nouveau mot de passe", exact=True).fill(password)
    expect(page.locator("#password-rules [data-check='length']")).to_have_class(re.compile(r"\bmet\b"))
    page.get_by_label("Confirmation du nouveau mot de passe").fill(password)
    expect(page.locator("#password-rules [data-check='match']")).to_have_class(re.compile(r"\bmet\b"))


def sign_in(page, identifier, password):
    page.goto("/coffre/sign-in/")
    page.get_by_label("Identifiant à 12 chiffres ou courriel personnel").fill(identifier)
    page.get_by_label("Mot de passe", exact=True).fill(password)
    page.get_by_label("Mot de passe", exact=True).press("Enter")


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_three_wrong_passwords_lock_the_account_and_say_for_how_long(
    demo, page, screen, screenshot, browser_errors
):
    page.goto("/coffre/sign-in/")
    page.get_by_text("Où le trouver?").click()
    expect(page.locator("details.hint")).to_contain_text("courrier d’enrôlement")
    no_sideways_scroll(page)
    screenshot(page, "sign-in-page")
    for attempt in range(3):
        sign_in(page, "123456789012", f"Mauvais-mot-de-passe-{attempt}")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("temporairement bloqué")
    expect(alert).to_contain_text("120 minutes")
    # The lock names no method and says what to do: the help desk, written to at an address.
    expect(alert).not_to_contain_text("majuscules")
    expect(alert).to_contain_text("Écrivez au service d’assistance")
    # The right password waits for the lock too; the recovery paths stay in reach.
    sign_in(page, "123456789012", PASSWORD)
    expect(page.get_by_role("alert")).to_contain_text("temporairement bloqué")
    expect(page.get_by_role("link", name="Mot de passe oublié?")).to_be_visible()
    no_sideways_scroll(page)
    screenshot(page, "locked")
    assert browser_errors == []


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_forgotten_password_through_the_mailbox(demo, page, screen, screenshot, browser_errors):
    page.goto("/coffre/sign-in/")
    page.get_by_role("link", name="Mot de passe oublié?").click()
    page.get_by_label("Identifiant à 12 chiffres ou courriel personnel").fill("123456789012")
    page.get_by_label("Adresse courriel à votre dossier").fill("salarie@coffre.example")
    screenshot(page, "form")
    page.get_by_role("button", name="Envoyez-moi un lien").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Consultez vos courriels")
    no_sideways_scroll(page)
    screenshot(page, "check-mailbox")

    body = open_mail(page, "Choisissez un nouveau mot de passe")
    expect(body).to_contain_text("Bonjour Paul")
    screenshot(page, "mail")
    body.locator("a[href*='/coffre/']").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Choisissez un nouveau mot de passe")
    assert "/set-password/" in page.url, "the token left the address bar"
    # A password the rules refuse: the server names the rule, nothing else is lost.
    page.get_by_label("Nouveau mot de passe", exact=True).fill("motdepasse")
    page.get_by_label("Confirmation du nouveau mot de passe").fill("motdepasse")
    page.get_by_role("button", name="Enregistrer mon mot de passe").click()
    expect(page.locator(".field-error").first).to_contain_text("15")
    choose_password(page, NEW_PASSWORD)
    no_sideways_scroll(page)
    screenshot(page, "new-password")
    page.get_by_role("button", name="Enregistrer mon mot de passe").click()
    expect(page.locator(".messages")).to_contain_text("Votre mot de passe est enregistré")
    sign_in(page, "123456789012", NEW_PASSWORD)
    expect(page.locator("details.user-menu summary")).to_have_text("Paul Exemple")
    screenshot(page, "signed-in")
    assert browser_errors == []


def test_lost_identifier_mails_the_identifier_and_a_link(demo, page, screenshot, browser_errors):
    page.goto("/coffre/sign-in/")
    page.get_by_role("link", name="Identifiant perdu?").click()
    page.get_by_label("Nom", exact=True).fill("Exemple")
    page.get_by_label("Prénom").fill("Paul")
    page.get_by_label("Commune ou ville de naissance").fill("Trois-Rivières")
    page.get_by_label("Mois de naissance").select_option(label="juin")
    page.get_by_label("Numéro de téléphone mobile").fill("514 555 0142")
    page.get_by_label("Adresse courriel à votre dossier").fill("salarie@coffre.example")
    page.get_by_label("Confirmation de l’adresse courriel").fill("salarie@coffre.example")
    page.get_by_label("Votre numéro privé").fill("588157")
    # Forgetting the consent keeps every answer and says what is missing.
    page.get_by_role("button", name="Envoyez-moi mon identifiant").click()
    expect(page.locator(".field-error")).to_contain_text("politique de confidentialité")
    expect(page.get_by_label("Votre numéro privé")).to_have_value("588157")
    page.get_by_label("J’ai pris connaissance de la politique de confidentialité et je l’accepte.").check()
    screenshot(page, "form")
    page.get_by_role("button", name="Envoyez-moi mon identifiant").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Consultez vos courriels")

    body = open_mail(page, "Votre identifiant")
    expect(body).to_contain_text("123456789012")
    assert PASSWORD not in body.inner_text()
    screenshot(page, "mail")
    body.locator("a[href*='/coffre/']").click()
    choose_password(page, NEW_PASSWORD)
    page.get_by_role("button", name="Enregistrer mon mot de passe").click()
    sign_in(page, "salarie@coffre.example", NEW_PASSWORD)
    expect(page.locator("details.user-menu summary")).to_have_text("Paul Exemple")
    screenshot(page, "signed-in")
    assert browser_errors == []


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_first_sign_in_with_the_enrolment_letter(demo, page, screen, screenshot, browser_errors):
    secret = re.search(r"identifier 210987654321, provisional secret (\S+)", demo).group(1)
    sign_in(page, "210987654321", secret)
    expect(page.get_by_role("heading", level=1)).to_have_text("Bienvenue : votre première connexion")
    # Nothing else opens before the first sign-in is done.
    page.goto("/coffre/profile/")
    expect(page).to_have_url(re.compile(r"/coffre/welcome/$"))
    page.get_by_label("Adresse courriel personnelle").fill("ines.nouvelle@maison.example")
    page.get_by_label("Confirmation de l’adresse courriel").fill("ines.nouvelle@maison.example")
    choose_password(page, NEW_PASSWORD)
    no_sideways_scroll(page)
    screenshot(page, "welcome")
    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirmez votre adresse courriel")
    screenshot(page, "check-mail")

    body = open_mail(page, "Confirmez votre adresse courriel")
    body.locator("a[href*='/coffre/']").click()
    page.get_by_role("button", name="Confirmer mon adresse").click()
    expect(page.locator(".messages")).to_contain_text("ines.nouvelle@maison.example")
    page.goto("/coffre/profile/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes informations de profil")
    expect(page.locator("main")).to_contain_text("ines.nouvelle@maison.example")
    no_sideways_scroll(page)
    screenshot(page, "profile")
    assert browser_errors == []


def test_member_activates_the_account_and_never_uses_the_member_number_as_password(
    demo, page, screenshot, browser_errors
):
    page.goto("/syndicat/sign-in/")
    page.get_by_role("link", name="Première visite? Activez votre compte").click()
    page.get_by_label("Numéro de membre").fill("912345")
    page.get_by_label("Adresse courriel à votre dossier").fill("nouveau@syndicat.example")
    screenshot(page, "form")
    page.get_by_role("button", name="Envoyez-moi un lien").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Consultez vos courriels")

    body = open_mail(page, "Activer votre compte")
    body.locator("a[href*='/syndicat/']").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Choisissez votre mot de passe")
    # The member number is refused as a password, with the rule named.
    page.get_by_label("Nouveau mot de passe", exact=True).fill("912345")
    page.get_by_label("Confirmation du nouveau mot de passe").fill("912345")
    page.get_by_role("button", name="Enregistrer mon mot de passe").click()
    expect(page.locator(".field-error").first).to_be_visible()
    choose_password(page, NEW_PASSWORD)
    screenshot(page, "choose-password")
    page.get_by_role("button", name="Enregistrer mon mot de passe").click()
    page.get_by_label("Adresse courriel").fill("nouveau@syndicat.example")
    page.get_by_label("Mot de passe", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Mot de passe", exact=True).press("Enter")
    expect(page.locator("details.user-menu summary")).to_have_text("Noé Nouveau")
    screenshot(page, "signed-in")
    assert browser_errors == []
