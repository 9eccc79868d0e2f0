"""Password self-service in the browser, in French: on the demo `poste`, sign in by identifier then
method, the menu, the security questions and their trial, sign-out (docs/journeys.md#selfservice,
#menu, #questions), and the mobile device as a method; on the demo `universite`, password and
identifier recovery (#recover, #identifier)."""

import re

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from .pages import no_sideways_scroll

PASSWORD = "Demo-Portal-2026"
NEW_PASSWORD = "Le traversier de Lévis part à midi"


def start(page, tenant, identifier):
    page.goto(f"/{tenant}/self-service/sign-in/")
    page.get_by_label(re.compile("ID utilisateur|Code d’accès")).fill(identifier)
    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_role("heading", name="Méthodes d’authentification")).to_be_visible()


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_employee_signs_in_by_identifier_then_password_sets_questions_and_tries_them(
    demo, page, screen, screenshot, browser_errors
):
    # docs/journeys.md#selfservice-sign-in: the identifier, with the note about the help desk.
    page.goto("/poste/self-service/sign-in/")
    expect(page.locator("aside.notice")).to_contain_text("communiquez avec le service d’assistance")
    expect(page.locator("aside.notice")).to_contain_text("1-800-555-0100")
    no_sideways_scroll(page)
    screenshot(page, "02-identifier")
    start(page, "poste", "E100001")
    # #selfservice-methods: three options.
    for option in ("Utiliser le mot de passe", "Répondre aux questions de sécurité", "Appareil mobile"):
        expect(page.get_by_role("link", name=option)).to_be_visible()
    screenshot(page, "04-methods")
    page.get_by_role("link", name="Utiliser le mot de passe").click()
    # #selfservice-password: the password.
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Ouvrir une session").click()
    # #menu-entries: "Mon profil" and its six entries.
    for entry in (
        "Modifier les mots de passe",
        "Déverrouiller les comptes",
        "Afficher le profil",
        "Mettre à jour les questions de sécurité",
        "Joindre d’autres comptes",
        "Enregistrer les appareils mobiles",
    ):
        expect(page.get_by_role("link", name=entry)).to_be_visible()
    no_sideways_scroll(page)
    screenshot(page, "06-menu")
    page.get_by_role("link", name="Mettre à jour les questions de sécurité").click()
    # #questions-set: the drop-down, the answer, "Questions encore requises [0]"; stored answers never shown.
    expect(page.get_by_text("Questions encore requises [0]")).to_be_visible()
    assert "Pixel" not in page.content()
    page.get_by_role("button", name="Ajouter une question").click()
    fourth = page.locator("select[name='form-3-question']")
    fourth.select_option(label="Quel est votre plat préféré? (3 à 30 caractères)")
    page.locator("input[name='form-3-answer']").fill("Tourtière")
    no_sideways_scroll(page)
    screenshot(page, "07-questions")
    # #questions-set: "Mettre à jour".
    page.get_by_role("button", name="Mettre à jour").click()
    expect(page.locator(".messages")).to_contain_text("Vos questions de sécurité sont mises à jour.")
    # #questions-try: per question, which is wrong; then all correct.
    page.get_by_role("link", name=re.compile("Essayez de répondre aux questions de sécurité")).click()
    page.get_by_label("Quel était le nom de votre premier animal de compagnie?").fill(" pixel ")
    page.get_by_label("Où avez-vous voyagé pour la première fois?").fill("Paris")
    page.get_by_label("Quelle était la couleur de votre première voiture?").fill("ROUGE")
    page.get_by_label("Quel est votre plat préféré?").fill("Poutine")
    page.get_by_role("button", name="Continuer").click()
    alert = page.locator(".error-summary")
    expect(alert).to_contain_text("La réponse à [Où avez-vous voyagé pour la première fois?] est incorrecte.")
    expect(alert).to_contain_text("La réponse à [Quel est votre plat préféré?] est incorrecte.")
    expect(alert).not_to_contain_text("premier animal")
    screenshot(page, "11-some-wrong")
    page.get_by_label("Quel était le nom de votre premier animal de compagnie?").fill("Pixel")
    page.get_by_label("Où avez-vous voyagé pour la première fois?").fill("gaspe")
    page.get_by_label("Quelle était la couleur de votre première voiture?").fill("Rouge")
    page.get_by_label("Quel est votre plat préféré?").fill("tourtiere")
    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_text("Toutes les réponses sont bonnes.")).to_be_visible()
    screenshot(page, "11-all-right")
    # #signin-out: the name, top right, then sign out.
    page.locator("details.user-menu summary").click()
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.locator("a.sign-in-link")).to_be_visible()
    assert browser_errors == []


def test_mobile_device_signs_in_once_per_code(demo, page, screenshot, browser_errors):
    key = re.search(r"E100001 mobile device \(TOTP key for an authenticator app\): (\w+)", demo).group(1)
    import base64

    secret = base64.b32decode(key + "=" * (-len(key) % 8))
    start(page, "poste", "E100001")
    page.get_by_role("link", name="Appareil mobile").click()
    code = f"{TOTP(secret, 30, 0, 6, 0).token():06d}"
    page.get_by_label("Code de votre application d’authentification").fill(code)
    screenshot(page, "device-code")
    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_role("heading", name="Mot de passe en libre-service")).to_be_visible()
    page.get_by_role("link", name="Enregistrer les appareils mobiles").click()
    expect(page.get_by_role("cell", name="Téléphone démo", exact=True)).to_be_visible()
    screenshot(page, "devices")
    page.locator("details.user-menu summary").click()
    page.get_by_role("button", name="Se déconnecter").click()
    # The same code again: refused.
    start(page, "poste", "E100001")
    page.get_by_role("link", name="Appareil mobile").click()
    page.get_by_label("Code de votre application d’authentification").fill(code)
    page.get_by_role("button", name="Continuer").click()
    expect(page.locator(".error-summary")).to_contain_text("Ce code n’est pas valide.")
    assert browser_errors == []


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_employee_without_questions_recovers_the_password_by_identity_data(
    demo, page, screen, screenshot, browser_errors
):
    page.goto("/universite/sign-in/")
    page.get_by_role("link", name=re.compile("Mot de passe en libre-service")).click()
    page.get_by_role("link", name="Mot de passe oublié?").click()
    page.get_by_label("Code d’accès").fill("demo12345")
    page.get_by_role("button", name="Continuer").click()
    # No security questions: the employee number and PIN.
    expect(page.get_by_role("heading", name="Matricule et NIP")).to_be_visible()
    screenshot(page, "pin")
    page.get_by_role("link", name="Cliquez ici pour vous identifier autrement").click()
    page.get_by_label("Prénom").fill("Alex")
    page.get_by_label("Nom", exact=True).fill("Exemple")
    page.get_by_label("Date de naissance").fill("1970-01-15")
    page.get_by_label("Six derniers chiffres de votre numéro d’assurance sociale").fill("046454")
    no_sideways_scroll(page)
    screenshot(page, "identity")
    page.get_by_role("button", name="Continuer").click()
    # "Choisissez un nouveau mot de passe en respectant les critères énumérés."
    expect(page.locator("#password-rules")).to_contain_text("15 caractères")
    page.get_by_label("Nouveau mot de passe", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirmation du nouveau mot de passe").fill(NEW_PASSWORD)
    screenshot(page, "new-password")
    page.get_by_role("button", name="Enregistrer le nouveau mot de passe").click()
    expect(page.locator(".messages")).to_contain_text("Votre mot de passe est enregistré")
    page.locator("#id_username").fill("DEMO12345")
    page.get_by_label("Mot de passe", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Mot de passe", exact=True).press("Enter")
    expect(page.locator("details.user-menu summary")).to_contain_text("Alex Exemple")
    assert browser_errors == []


def test_employee_recovers_the_identifier_by_employee_number_and_pin(demo, page, screenshot, browser_errors):
    page.goto("/universite/self-service/sign-in/")
    page.get_by_role("link", name="Je ne connais pas mon code d’accès").click()
    page.get_by_role("link", name="Code d’accès d’employé : matricule et NIP").click()
    page.get_by_label("Matricule").fill("100200")
    page.get_by_label("NIP").fill("4321")
    page.get_by_role("button", name="Continuer").click()
    expect(page.locator(".big-value")).to_have_text("DEMO12345")
    screenshot(page, "identifier-found")
    # The sign-in form is filled in with the code just found.
    page.locator("main").get_by_role("link", name="Ouvrir une session").click()
    expect(page.get_by_label("Code d’accès")).to_have_value("DEMO12345")
    assert browser_errors == []


@pytest.mark.parametrize("screen", ["phone"])
@pytest.mark.parametrize("browser_locale", ["en-CA"])
def test_questions_page_in_english_on_a_phone_by_keyboard(demo, page, screen, screenshot, browser_errors):
    start_en = "/poste/self-service/sign-in/"
    page.goto(start_en)
    page.get_by_label("User ID").fill("E100001")
    page.keyboard.press("Enter")
    page.get_by_role("link", name="Use the password").focus()
    page.keyboard.press("Enter")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.keyboard.press("Enter")
    # Signed in, the portal speaks the account's language (French); the person switches to English.
    expect(page.get_by_role("heading", name="Mot de passe en libre-service")).to_be_visible()
    page.get_by_role("button", name="English").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Password self-service")).to_be_visible()
    page.get_by_role("link", name="Update security questions").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Questions still required [0]")).to_be_visible()
    no_sideways_scroll(page)
    screenshot(page, "questions-en")
    assert browser_errors == []


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_register_a_mobile_device_and_get_backup_codes(demo, page, screen, screenshot, browser_errors):
    import base64

    page.goto("/universite/sign-in/")
    page.locator("#id_username").fill("DEMO12345")
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_label("Mot de passe", exact=True).press("Enter")
    page.locator("details.user-menu summary").click()
    page.get_by_role("link", name="Mot de passe en libre-service").click()
    page.get_by_role("link", name="Enregistrer les appareils mobiles").click()
    page.get_by_role("link", name="Ajouter un appareil").click()
    page.get_by_label("Nom de l’appareil").fill("Mon cellulaire")
    page.get_by_label("Votre mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Continuer").click()
    qr = page.get_by_role("img", name="Code QR à balayer avec l’application d’authentification")
    expect(qr).to_be_visible()
    no_sideways_scroll(page)
    screenshot(page, "qr-code")
    key = page.locator(".big-value code").inner_text().replace(" ", "")
    secret = base64.b32decode(key + "=" * (-len(key) % 8))
    page.get_by_label("Code affiché par l’application").fill(f"{TOTP(secret, 30, 0, 6, 0).token():06d}")
    page.get_by_role("button", name="Confirmer").click()
    expect(page.locator(".backup-codes li")).to_have_count(10)
    no_sideways_scroll(page)
    screenshot(page, "backup-codes")
    page.get_by_role("link", name="Je les ai conservés").click()
    expect(page.get_by_role("cell", name="Mon cellulaire", exact=True)).to_be_visible()
    screenshot(page, "device-list")
    assert browser_errors == []
