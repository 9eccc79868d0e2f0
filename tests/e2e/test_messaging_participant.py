"""Seed 001 in the browser on the demo `poste` (docs/journeys.md#messaging): a collaborator's message
reaches the participant as a mail without content; its "Accéder au message" leads through the sign-in
to the conversation, where the participant opens the message ("Ouvrir") and replies; the history
shows the opening. And a newcomer without an account opens one from the link. In French and in
English, at phone width, axe-clean."""

import re

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from .pages import no_sideways_scroll

PASSWORD = "Demo-Portal-2026"
UPLOAD_IDS = "upload_ids"  # messaging.uploads.api.UPLOAD_IDS_FIELD

WORDS = {
    "fr": {
        "subject": "Un collaborateur vous a envoyé un message sécurisé",
        "sign_in_title": "Un message sécurisé vous attend",
        "sign_in": "Ouvrir une session",
        "identifier": "ID utilisateur",
        "password": "Mot de passe",
        "open": "Ouvrir",
        "message": "Message",
        "submit": "Soumettre",
        "files": "Fichiers (facultatif)",
        "choose": "Choisir des fichiers",
        "posted": "Votre message est affiché.",
        "history": "Historique des activités",
        "opened": "A ouvert un message",
        "open_account": "Ouvrir un compte",
        "first_name": "Prénom",
        "last_name": "Nom",
        "new_password": "Nouveau mot de passe",
        "again": "Confirmation du nouveau mot de passe",
        "open_my_account": "Ouvrir mon compte",
    },
    "en": {
        "subject": "A collaborator sent you a secure message",
        "sign_in_title": "A secure message is waiting for you",
        "sign_in": "Sign in",
        "identifier": "User ID",
        "password": "Password",
        "open": "Open",
        "message": "Message",
        "submit": "Submit",
        "files": "Files (optional)",
        "choose": "Choose files",
        "posted": "Your message is posted.",
        "history": "Activity history",
        "opened": "Opened a message",
        "open_account": "Open an account",
        "first_name": "First name",
        "last_name": "Last name",
        "new_password": "New password",
        "again": "New password again",
        "open_my_account": "Open my account",
    },
}


def choose_language(page, lang):
    if lang == "en":
        page.goto("/poste/")
        page.get_by_role("button", name="English", exact=True).click()
        expect(page.locator("html")).to_have_attribute("lang", "en")


def start_conversation(to: str, title: str, body: str, file_name: str = ""):
    """The collaborator's side, as the collaborator journey does it in the browser."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from messaging import actions
    from messaging.models import Collaborator
    from messaging.uploads import api
    from portal.models import Tenant

    tenant = Tenant.objects.get(slug="poste")
    collaborator = Collaborator.objects.get(tenant=tenant, persona__email="collab@poste.example")
    upload_ids = []
    if file_name:
        document = SimpleUploadedFile(file_name, b"Document de demonstration.\n", content_type="text/plain")
        (upload,) = api.receive_files(
            tenant=tenant, owner=collaborator.user, files=[document], limits=api.Limits()
        )
        upload_ids.append(upload.pk)
    return actions.do_start_conversation(
        collaborator=collaborator, title=title, emails=[to], body=body, upload_ids=upload_ids
    )


def open_notification(page, subject, to):
    page.goto("/_dev/mailbox/")
    page.locator("tr", has_text=to).get_by_role("link", name=subject).first.click()
    body = page.locator("pre.mail-body")
    expect(body).to_contain_text("collab@poste.example")
    return body


@pytest.mark.parametrize("screen", ["phone"])
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_participant_goes_from_the_notification_mail_to_a_reply(
    demo, page, screen, lang, screenshot, browser_errors
):
    words = WORDS[lang]
    from accounts.models import User

    User.objects.filter(identifier="participant@poste.example").update(
        preferred_language="en" if lang == "en" else "fr-ca"
    )
    choose_language(page, lang)
    title = f"Dossier confidentiel {lang}"
    body_text = "Voici les documents demandés, à lire avant vendredi."
    start_conversation("participant@poste.example", title, body_text, file_name="documents-demandes.txt")

    mail = open_notification(page, words["subject"], "participant@poste.example")
    expect(mail).not_to_contain_text(title)
    expect(mail).not_to_contain_text(body_text)
    screenshot(page, "01-mail")
    mail.locator("a[href*='/poste/messages/link/']").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(words["sign_in_title"])
    assert "/messages/link/" not in page.url, "the token left the address bar"
    no_sideways_scroll(page)
    screenshot(page, "02-welcome")
    page.locator("#main").get_by_role("link", name=words["sign_in"], exact=True).click()
    page.locator("#id_username").fill("participant@poste.example")
    page.get_by_label(words["password"], exact=True).fill(PASSWORD)
    page.get_by_label(words["password"], exact=True).press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_text(body_text)).to_have_count(0)
    no_sideways_scroll(page)
    screenshot(page, "03-conversation-closed")
    page.get_by_role("button", name=re.compile(words["open"])).last.click()
    expect(page.get_by_text(body_text)).to_be_visible()
    # The collaborator's message is on the left; the date reads in the tenant's zone.
    expect(page.locator(".thread-message.theirs").last).to_contain_text(
        re.compile(r"\d\d:\d\d:\d\d (HNE|HAE|EST|EDT)")
    )
    screenshot(page, "04-opened")
    with page.expect_download() as received:
        page.get_by_role("link", name="documents-demandes.txt").click()
    assert received.value.suggested_filename == "documents-demandes.txt"
    received.value.path()  # the download done: Chromium opens no file chooser while one is under way

    page.get_by_label(words["message"], exact=True).fill("Merci, bien reçu. Je réponds avant vendredi.")
    # The file button speaks the page's language, not the browser's; the keyboard reaches it too.
    chooser = page.locator("label.upload-choose")
    expect(chooser).to_have_text(words["choose"])
    expect(chooser).to_be_visible()
    page.get_by_label(words["files"]).focus()
    expect(page.get_by_label(words["files"])).to_be_focused()
    try:
        with page.expect_file_chooser(timeout=3000):
            page.keyboard.press("Space")
    except PlaywrightTimeoutError:
        # Headless Chromium with phone emulation now and then drops the first key on a file input
        # (seen on the code before this change as well, about one run in five); a person presses again.
        with page.expect_file_chooser():
            page.keyboard.press("Space")
    with page.expect_file_chooser() as picked:
        chooser.click()
    picked.value.set_files(
        files=[
            {"name": "ma-reponse.txt", "mimeType": "text/plain", "buffer": "Ma réponse signée.\n".encode()}
        ]
    )
    expect(page.locator(f"input[name='{UPLOAD_IDS}']")).to_have_count(1)  # sent in chunks, id kept
    screenshot(page, "05-reply-with-file")
    page.get_by_role("button", name=words["submit"]).click()
    expect(page.get_by_text(words["posted"])).to_be_visible()
    expect(page.locator(".thread-message.mine").last).to_contain_text("Je réponds avant vendredi")
    with page.expect_download() as sent:
        page.locator(".thread-message.mine").last.get_by_role("link", name="ma-reponse.txt").click()
    assert sent.value.suggested_filename == "ma-reponse.txt"
    no_sideways_scroll(page)
    screenshot(page, "06-replied")

    page.get_by_role("link", name=words["history"]).first.click()
    expect(page.get_by_role("cell", name=words["opened"])).to_have_count(1)
    screenshot(page, "07-history")

    page.goto("/poste/messages/")
    expect(page.get_by_role("link", name=title, exact=True)).to_be_visible()
    no_sideways_scroll(page)
    screenshot(page, "08-inbox")
    assert browser_errors == []


@pytest.mark.parametrize("screen", ["phone"])
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_newcomer_opens_an_account_from_the_notification_link(
    demo, page, screen, lang, screenshot, browser_errors
):
    words = WORDS[lang]
    choose_language(page, lang)
    to = f"nouvelle.{lang}@courriel.example"
    start_conversation(to, "Bienvenue parmi nos clients", "Premier échange, en toute confidentialité.")

    # Without an account the mail is in the collaborator's language (French in the demo).
    open_notification(page, WORDS["fr"]["subject"], to).locator("a[href*='/poste/messages/link/']").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["sign_in_title"])
    screenshot(page, "01-welcome")
    page.get_by_role("link", name=words["open_account"]).click()
    expect(page.get_by_text(to)).to_be_visible()
    page.get_by_label(words["first_name"]).fill("Noémie")
    page.get_by_label(words["last_name"], exact=True).fill("Nouvelle")
    page.get_by_label(words["new_password"], exact=True).fill("Le fleuve gèle rarement à Québec")
    page.get_by_label(words["again"]).fill("Le fleuve gèle rarement à Québec")
    no_sideways_scroll(page)
    screenshot(page, "02-open-account")
    page.get_by_role("button", name=words["open_my_account"]).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Bienvenue parmi nos clients")
    page.get_by_role("button", name=re.compile(words["open"])).last.click()
    expect(page.get_by_text("Premier échange, en toute confidentialité.")).to_be_visible()
    no_sideways_scroll(page)
    screenshot(page, "03-conversation")
    assert browser_errors == []
