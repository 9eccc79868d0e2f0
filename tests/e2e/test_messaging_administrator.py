"""The messaging administrator on the demo `poste` (docs/journeys.md#messaging-admin): hands the
deactivated collaborator's conversations to an active one, then deactivates and reactivates a
collaborator. In French at phone width, axe-clean."""

import pytest
from playwright.sync_api import expect

from .pages import no_sideways_scroll

PASSWORD = "Demo-Portal-2026"


@pytest.mark.parametrize("screen", ["phone"])
def test_messaging_administrator_hands_over_and_deactivates(demo, page, screen, screenshot, browser_errors):
    from messaging.models import Activity, Conversation

    page.goto("/poste/sign-in/?next=/poste/messages/")
    page.locator("#id_username").fill("gestion@poste.example")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.get_by_role("link", name="Gérer les collaborateurs").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Collaborateurs")
    no_sideways_scroll(page)
    screenshot(page, "01-collaborators")

    page.get_by_role("link", name="Confier les conversations de ancien@poste.example").click()
    page.get_by_label("Successeur").select_option(label="collab@poste.example")
    no_sideways_scroll(page)
    screenshot(page, "02-hand-over")
    page.get_by_role("button", name="Confier").click()
    expect(
        page.get_by_text(
            "1 conversation de ancien@poste.example est maintenant confiée à collab@poste.example."
        )
    ).to_be_visible()
    taken = Conversation.objects.get(title="Ancien dossier (collaborateur parti)")
    assert taken.collaborator.persona.email == "collab@poste.example" and not taken.is_read_only
    assert Activity.objects.filter(
        conversation=taken, kind="taken_over", actor_label="collab@poste.example"
    ).exists()

    page.get_by_role("button", name="Désactiver collab@poste.example").click()
    expect(
        page.get_by_text("collab@poste.example est désactivé; ses conversations sont en lecture seule.")
    ).to_be_visible()
    assert (
        Conversation.objects.filter(collaborator__persona__email="collab@poste.example").first().is_read_only
    )
    screenshot(page, "03-deactivated")
    page.get_by_role("button", name="Réactiver collab@poste.example").click()
    expect(page.get_by_text("collab@poste.example est de nouveau actif.")).to_be_visible()
    no_sideways_scroll(page)
    screenshot(page, "04-reactivated")
    assert browser_errors == []
