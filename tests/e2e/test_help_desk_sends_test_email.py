"""Journey: a help-desk agent of the demo vault signs in to the tenant's help desk, sends a test
e-mail to an employee, and the mail appears in the development mailbox, in the employee's language."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect


@pytest.fixture
def demo_data(transactional_db, settings):
    settings.DEBUG = True  # the development mailbox exists only in development
    settings.EMAIL_BACKEND = "portal.email_backends.MailboxBackend"
    call_command("seed_demo", "--force", verbosity=0)


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_help_desk_sends_a_test_email_that_reaches_the_mailbox(
    demo_data, page, screen, screenshot, browser_errors
):
    page.goto("/coffre/admin/")
    page.get_by_label("Identifiant").fill("helpdesk@coffre.example")
    page.get_by_label("Mot de passe").fill("Demo-Portal-2026")
    page.get_by_label("Mot de passe").press("Enter")
    expect(page.locator("#site-name")).to_contain_text("Coffre-fort démo")
    screenshot(page, "help-desk-home")

    page.goto("/coffre/admin/accounts/user/")
    row = page.locator("#result_list tr", has_text="123456789012")
    row.locator("input.action-select").check()
    page.locator("select[name=action]").select_option("send_test_email")
    page.locator("button[name=index], input[name=index]").first.click()
    expect(page.locator("ul.messagelist")).to_contain_text("Un courriel d’essai est en route vers 1 compte.")
    screenshot(page, "test-email-queued")

    page.goto("/_dev/mailbox/")
    page.get_by_role("link", name="Message d’essai de votre portail").click()
    expect(page.locator("dl.meta")).to_contain_text("salarie@coffre.example")
    expect(page.locator("pre.mail-body")).to_contain_text("Bonjour Paul")
    expect(page.locator("pre.mail-body")).to_contain_text("Coffre-fort démo")
    screenshot(page, "mailbox-message")
    assert browser_errors == []
