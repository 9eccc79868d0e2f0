"""A collaborator starts a conversation on the demo `poste` (docs/journeys.md#messaging-collaborator):
"Nouvelle conversation", a title, the participants by address and a first message; the conversation
opens with the message on the right, and the participant is notified without its content. In French
and in English, at phone width, axe-clean."""

import pytest
from playwright.sync_api import expect

from .pages import no_sideways_scroll
from .test_messaging_participant import choose_language

PASSWORD = "Demo-Portal-2026"
WORDS = {
    "fr": {
        "new": "Nouvelle conversation",
        "title": "Titre",
        "participants": "Participants",
        "first": "Premier message",
        "start": "Lancer la conversation",
        "started": "La conversation est lancée",
    },
    "en": {
        "new": "New conversation",
        "title": "Title",
        "participants": "Participants",
        "first": "First message",
        "start": "Start the conversation",
        "started": "The conversation is started",
    },
}


@pytest.mark.parametrize("screen", ["phone"])
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_collaborator_starts_a_conversation(demo, page, screen, lang, screenshot, browser_errors):
    from accounts.models import User
    from portal.models import OutboundEmail

    words = WORDS[lang]
    User.objects.filter(identifier="collab@poste.example").update(
        preferred_language="en" if lang == "en" else "fr-ca"
    )
    choose_language(page, lang)
    page.goto("/poste/sign-in/?next=/poste/messages/")
    page.locator("#id_username").fill("collab@poste.example")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    no_sideways_scroll(page)
    screenshot(page, "01-inbox")

    page.get_by_role("link", name=words["new"]).click()
    page.get_by_label(words["title"]).fill("Renouvellement de votre contrat")
    page.get_by_label(words["participants"]).fill(
        "participant@poste.example, autre.personne@courriel.example"
    )
    page.get_by_label(words["first"]).fill("Bonjour, voici les conditions du renouvellement.")
    no_sideways_scroll(page)
    screenshot(page, "02-new")
    page.get_by_role("button", name=words["start"]).click()

    expect(page.get_by_text(words["started"])).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Renouvellement de votre contrat")
    expect(page.locator(".thread-message.mine")).to_contain_text("conditions du renouvellement")
    no_sideways_scroll(page)
    screenshot(page, "03-started")

    mails = OutboundEmail.objects.filter(
        to__in=["participant@poste.example", "autre.personne@courriel.example"]
    )
    assert mails.count() == 2
    assert all("Renouvellement" not in (m.subject + m.body_text + m.body_html) for m in mails)
    assert browser_errors == []
