"""Journey (docs/journeys.md#profile): a union member who reads English opens
"My profile" from the name menu by keyboard, sees the unverified e-mail, asks for the verification
mail, and changes the password, at phone width and on a desktop."""

import re

import pytest
from django.core.cache import cache
from django.core.management import call_command
from playwright.sync_api import expect

PASSWORD = "Demo-Portal-2026"
NEW_PASSWORD = "Seven orange kayaks drift past Tadoussac"


@pytest.fixture
def demo(transactional_db, settings, live_server):
    settings.DEBUG = True
    settings.EMAIL_BACKEND = "portal.email_backends.MailboxBackend"
    settings.PORTAIL_BASE_URL = live_server.url
    cache.clear()
    call_command("seed_demo", "--force", verbosity=0)


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_member_manages_the_profile_in_english_by_keyboard(demo, page, screen, screenshot, browser_errors):
    page.goto("/syndicat/sign-in/")
    page.get_by_role("button", name="English", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_label("E-mail address").fill("membre@syndicat.example")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password", exact=True).press("Enter")
    page.get_by_role("button", name="English", exact=True).click()  # the account's language was French

    # The home page offers the profile and asks to verify the address not verified yet.
    expect(page.locator("main .verify-email")).to_contain_text("is not verified yet")
    expect(page.locator("main").get_by_role("link", name="Edit my profile")).to_be_visible()
    screenshot(page, "home-unverified")
    # The name menu, top right, by keyboard: summary, then "My profile".
    page.locator("details.user-menu summary").focus()
    page.keyboard.press("Enter")
    page.get_by_role("link", name="My profile", exact=True).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("My profile")
    expect(page.locator(".status-bad")).to_have_text("E-mail not verified")
    scroll_width, width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll_width <= width
    screenshot(page, "profile-unverified")

    page.get_by_role("button", name="Send verification e-mail").click()
    expect(page.locator(".messages")).to_contain_text("A verification e-mail is on its way")

    page.get_by_role("link", name="Change my password").click()
    expect(page.locator("#password-rules li").first).to_contain_text("At least 15 characters")
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    expect(page.locator("#password-rules [data-check='match']")).to_have_class(re.compile(r"\bmet\b"))
    screenshot(page, "change-password")
    page.get_by_label("New password again").press("Enter")
    expect(page.locator(".messages")).to_contain_text("Your password is changed")
    expect(page.locator("ol.history")).to_contain_text("Password changed")
    screenshot(page, "profile-after")
    assert browser_errors == []
