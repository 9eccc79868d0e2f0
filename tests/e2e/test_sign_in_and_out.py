"""Journey: an employee of the demo tenant `poste` opens the portal, switches language, signs in
(first with a wrong password) and signs out, with the keyboard where people use it.
Assertions rely on the `lang` attribute, roles, names and CSS classes; visible text is asserted
where it is data (the user's name, the language names)."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

TENANT = "poste"
USER_ID = "E100001"
PASSWORD = "Demo-Portal-2026"
FULL_NAME = "Camille Exemple"
FRENCH, ENGLISH = "fr-CA", "en"
PHONE_WIDTH = 375  # the "phone" screen of conftest.SCREENS


@pytest.fixture
def demo_data(transactional_db):
    call_command("seed_demo", "--force", verbosity=0)


def expect_language(page, lang):
    expect(page.locator("html")).to_have_attribute("lang", lang)


def assert_no_horizontal_scroll(page, screen):
    scroll_width, viewport_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if screen == "phone":
        assert viewport_width == PHONE_WIDTH, f"the phone viewport is {viewport_width} px wide"
    assert scroll_width <= viewport_width, (
        f"{page.url} scrolls sideways at {viewport_width} px: the page is {scroll_width} px wide"
    )


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_employee_opens_tenant_switches_language_signs_in_and_out(
    demo_data, page, screen, screenshot, browser_errors, django_user_model
):
    def step(name):
        assert_no_horizontal_scroll(page, screen)
        screenshot(page, name)

    # The tenant's home page is French first.
    page.goto(f"/{TENANT}/")
    expect_language(page, FRENCH)
    header = page.locator("header.site-header")
    expect(header.locator("a.brand")).to_have_text("Poste démo")
    step("home-fr")

    # Keyboard: the first Tab reaches the skip link, which shows itself; Enter moves focus to <main>.
    page.keyboard.press("Tab")
    skip_link = page.locator("a.skip-link")
    expect(skip_link).to_be_focused()
    box = skip_link.bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0, f"the focused skip link is off screen: {box}"
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()

    # The header offers the other language under its own name, and switches the whole page.
    page.get_by_role("button", name="English", exact=True).click()
    expect_language(page, ENGLISH)
    expect(header.locator("a.brand")).to_have_text("Demo Post")
    expect(page.get_by_role("button", name="Français", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="English", exact=True)).to_have_count(0)
    step("home-en")
    page.get_by_role("button", name="Français", exact=True).click()
    expect_language(page, FRENCH)
    expect(header.locator("a.brand")).to_have_text("Poste démo")

    # Sign-in page, from the header link.
    header.locator("a.sign-in-link").click()
    expect(page).to_have_url(re.compile(rf"/{TENANT}/sign-in/"))
    expect_language(page, FRENCH)
    username = page.locator("input[name=username]")
    password = page.locator("input[name=password]")
    expect(username).to_be_focused()  # autofocus: people can type their ID straight away
    step("sign-in")

    # A wrong password: an alert, the ID kept, the password emptied, still signed out.
    username.fill(USER_ID)
    password.fill("Not-The-Right-Password-1")
    page.locator("main form button[type=submit]").click()
    alert = page.get_by_role("alert")
    expect(alert).to_be_visible()
    assert alert.inner_text().strip(), "the sign-in error alert is empty"
    expect(page).to_have_url(re.compile(rf"/{TENANT}/sign-in/"))
    expect(username).to_have_value(USER_ID)
    expect(password).to_have_value("")
    expect(page.locator("details.user-menu")).to_have_count(0)
    step("sign-in-error")

    # The right password, submitted with Enter from the password field.
    password.fill(PASSWORD)
    password.press("Enter")
    menu = page.locator("details.user-menu")
    expect(menu.locator("summary")).to_have_text(FULL_NAME)
    expect(page).to_have_url(re.compile(rf"/{TENANT}/$"))
    expect_language(page, FRENCH)  # the account's preferred language
    expect(header.locator("a.sign-in-link")).to_have_count(0)
    step("signed-in")

    # Switching language while signed in is remembered on the account.
    page.get_by_role("button", name="English", exact=True).click()
    expect_language(page, ENGLISH)
    expect(menu.locator("summary")).to_have_text(FULL_NAME)
    user = django_user_model.objects.get(tenant__slug=TENANT, identifier=USER_ID)
    assert user.preferred_language == "en"

    # The menu opens from its summary and lies within the screen.
    menu.locator("summary").click()
    expect(menu).to_have_attribute("open", "")
    sign_out = menu.get_by_role("button", name="Sign out", exact=True)
    expect(sign_out).to_be_visible()
    viewport_width = page.viewport_size["width"]
    box = menu.locator("ul").bounding_box()
    assert box is not None
    assert 0 <= box["x"] and box["x"] + box["width"] <= viewport_width, f"the user menu is cut off: {box}"
    step("menu-open-en")

    # Sign out: back to the home page, signed out, the sign-in link is offered again.
    sign_out.click()
    expect(header.locator("a.sign-in-link")).to_be_visible()
    expect(page.locator("details.user-menu")).to_have_count(0)
    expect(page).to_have_url(re.compile(rf"/{TENANT}/$"))
    expect_language(page, ENGLISH)
    step("signed-out-en")

    # And back to French, signed out, with the keyboard on the language button.
    page.get_by_role("button", name="Français", exact=True).focus()
    page.keyboard.press("Enter")
    expect_language(page, FRENCH)
    expect(header.locator("a.sign-in-link")).to_be_visible()
    step("signed-out-fr")

    assert browser_errors == []
