"""The accessibility check of the browser journeys (conftest.py, accessibility.py) on pages made for
it: a WCAG failure is found on a page reached by a click, without a screenshot, and named by rule,
page and element; a journey run on a desktop only has its pages checked at phone width too; an
allowance tolerates its rule on its pages only."""

import pytest
from playwright.sync_api import expect

from .accessibility import Allowance

START = """<!doctype html><html lang="fr-CA"><head><title>Départ</title></head>
<body><main><h1>Départ</h1><p><a href="/a11y-check/unlabelled/">Suite</a></p></main></body></html>"""

UNLABELLED = """<!doctype html><html lang="fr-CA"><head><title>Formulaire</title></head>
<body><main><h1>Formulaire</h1><form><input type="text" name="code" id="code"></form>
<p><a href="/a11y-check/end/">Fin</a></p></main></body></html>"""

# Pale text that shows only on a narrow screen.
NARROW = """<!doctype html><html lang="en"><head><title>Narrow</title><style>
.narrow { display: none; color: #bbb; background: #fff; }
@media (max-width: 500px) { .narrow { display: block; } }
</style></head><body><main><h1>Narrow</h1><p class="narrow">Only on phones</p></main></body></html>"""

END = """<!doctype html><html lang="fr-CA"><head><title>Fin</title></head>
<body><main><h1>Fin</h1></main></body></html>"""


@pytest.fixture
def made_up_pages(page):
    """Pages served by the browser itself, under the live server's address."""
    bodies = {
        "/a11y-check/start/": START,
        "/a11y-check/unlabelled/": UNLABELLED,
        "/a11y-check/narrow/": NARROW,
        "/a11y-check/end/": END,
    }

    def serve(route):
        path = "/" + route.request.url.split("/", 3)[3]
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=bodies[path])

    page.route("**/a11y-check/**", serve)
    return page


@pytest.fixture
def accessibility_allowances():
    return [Allowance(rule="label", pages=("/a11y-check/elsewhere/",), fix="a page this test never opens")]


def test_a_page_reached_by_a_click_is_checked_and_its_violation_named(made_up_pages, accessibility):
    page = made_up_pages
    page.goto("/a11y-check/start/")
    page.get_by_role("link", name="Suite").click()
    page.get_by_role("link", name="Fin").click()  # the form's page is left without a screenshot
    expect(page.get_by_role("heading", name="Fin")).to_be_visible()

    assert [(v.rule, v.page, v.element, v.lang) for v in accessibility.violations.values()] == [
        ("label", "/a11y-check/unlabelled/", "#code", "fr-CA")
    ]
    message = accessibility.failure_message()
    assert "label on /a11y-check/unlabelled/ (lang=fr-CA, desktop): #code" in message
    assert '<input type="text" name="code" id="code">' in message
    assert accessibility.allowed == {}
    accessibility.violations.clear()  # found as it should be: this test must not fail for it


@pytest.mark.parametrize("screen", ["phone"])
@pytest.mark.parametrize(
    "accessibility_allowances", [[Allowance(rule="label", pages=("/a11y-check/unlabelled/",), fix="test")]]
)
def test_an_allowance_covers_its_rule_on_its_pages_only(made_up_pages, accessibility, screen):
    page = made_up_pages
    page.goto("/a11y-check/unlabelled/")
    page.get_by_role("link", name="Fin").click()
    expect(page.get_by_role("heading", name="Fin")).to_be_visible()
    assert accessibility.violations == {}
    [(violation, allowance)] = accessibility.allowed.values()
    assert (violation.rule, violation.page, violation.screen) == ("label", "/a11y-check/unlabelled/", "phone")
    assert allowance.pages == ("/a11y-check/unlabelled/",)


def test_a_journey_run_on_a_desktop_has_its_pages_checked_at_phone_width_too(made_up_pages, accessibility):
    page = made_up_pages
    page.goto("/a11y-check/narrow/")
    expect(page.get_by_role("heading", name="Narrow")).to_be_visible()
    page.get_by_role("heading", name="Narrow").click()  # the page is checked before this step

    assert [(v.rule, v.page, v.element, v.screen) for v in accessibility.violations.values()] == [
        ("color-contrast", "/a11y-check/narrow/", "p", "phone width, resized")
    ]
    assert page.viewport_size == {"width": 1280, "height": 800}  # the journey's own screen, back
    page.goto("/a11y-check/end/")  # the journey ends on a page that passes
    expect(page.get_by_role("heading", name="Fin")).to_be_visible()
    accessibility.violations.clear()  # found as it should be: this test must not fail for it
