"""Browser tests: Playwright (sync API) driving Debian's Chromium against pytest-django's live_server.

One browser for the whole session, a fresh context (cookies, storage, viewport) per test.

    PORTAIL_CHROMIUM=/path/to/chromium   use another Chromium (default /usr/bin/chromium)
    PORTAIL_REQUIRE_BROWSER=1            a missing Chromium fails the run instead of skipping (CI)

Screenshots go to artefacts/screenshots/<test-name>-<step>.png at the repository root; a failing
test leaves <test-name>-failure.png there as well.

Every page a journey reaches is checked with axe-core against WCAG 2.1 A and AA (accessibility.py):
each new page before the journey's first step on it, each page the journey screenshots, as shown,
and the page it ends on; at both widths (a journey that runs at one screen only has the window
resized for the check). A violation fails the test, naming the rule, the page and the element.
"""

import os
import re
from pathlib import Path

import pytest

from .accessibility import AccessibilityCheck, Allowance, Axe, axe_available

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = REPO_ROOT / "artefacts" / "screenshots"
E2E_DIR = Path(__file__).resolve().parent
DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# The screens every journey can be run at. "phone" is a 375 px wide mobile viewport: Chromium then
# honours <meta name="viewport">, so a page without it, or one wider than the screen, is caught.
SCREENS = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True},
}
PHONE_WIDTH = SCREENS["phone"]["viewport"]["width"]

# Temporary allowances: WCAG failures whose fix lies in files that another change owns. Each names
# its rule, the pages where the journeys meet it, and the fix; remove it when the fix lands. The end
# of a run lists the allowances in force, and those that matched nothing (to be removed). None today.
ALLOWANCES: list[Allowance] = []


@pytest.fixture
def demo(transactional_db, settings, live_server, capsys):
    """The demo tenants of seed_demo, served by the test server, with the development mailbox; the
    journeys read what seed_demo printed (a provisional secret, a TOTP key)."""
    from django.core.cache import cache
    from django.core.management import call_command

    settings.DEBUG = True  # the development mailbox exists only in development
    settings.EMAIL_BACKEND = "portal.email_backends.MailboxBackend"
    settings.PORTAIL_BASE_URL = live_server.url  # mailed links lead back to this test server
    cache.clear()
    call_command("seed_demo", "--force")
    return capsys.readouterr().out


_call_report = pytest.StashKey()
_allowances_used: dict[Allowance, int] = {}
_pages_checked: list[tuple[str, str, str]] = []  # (path, lang, width) of every check in the run
_seconds_checking = 0.0


def _browser_required() -> bool:
    return os.environ.get("PORTAIL_REQUIRE_BROWSER", "") not in ("", "0")


def _unavailable(reason: str):
    if _browser_required():
        pytest.fail(f"{reason} (PORTAIL_REQUIRE_BROWSER is set, so browser tests must run)", pytrace=False)
    pytest.skip(reason)


def _is_browser_test(item) -> bool:
    return E2E_DIR in Path(str(item.path)).resolve().parents


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(config, items):
    """Mark every test under tests/e2e as `browser`, and run the browser tests last.

    A wrapper, so that the mark is there before `-m` selects, and the order is set after
    pytest-django has sorted the tests by kind of database access. Browser tests run last because,
    once the session's Playwright is started, an asyncio loop stays running in the main thread, and
    DJANGO_ALLOW_ASYNC_UNSAFE is set, until the session ends (see the `browser` fixture)."""
    for item in items:
        if _is_browser_test(item):
            item.add_marker(pytest.mark.browser)
    result = yield
    items[:] = [item for item in items if not _is_browser_test(item)] + [
        item for item in items if _is_browser_test(item)
    ]
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """After the journey itself passed: check the page it ends on, then fail on any violation
    found on the way, so the failure is the test's own, with every violation of the journey."""
    funcargs = getattr(item, "funcargs", {})
    accessibility = funcargs.get("accessibility")
    if accessibility is None:
        return (yield)
    try:
        result = yield
    except BaseException:
        # The journey failed first; what axe found until then is shown beside its failure.
        accessibility.stop()
        if accessibility.violations:
            item.add_report_section("call", "accessibility", accessibility.failure_message())
        raise
    page = funcargs.get("page")
    if page is not None and not page.is_closed():
        accessibility.check(page)
    accessibility.stop()  # the teardown's own calls (a failure screenshot) check nothing
    if accessibility.violations:
        pytest.fail(accessibility.failure_message(), pytrace=False)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.stash[_call_report] = report
    return report


@pytest.fixture(scope="session")
def chromium_path():
    path = os.environ.get("PORTAIL_CHROMIUM") or DEFAULT_CHROMIUM
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        _unavailable(f"Chromium not found at {path}; install Debian's chromium to run browser tests")
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("The playwright Python package is not installed; run ./dev test to install it")

    # Playwright's sync API keeps an asyncio event loop running in this thread from start() to
    # stop(). Django then sees "a running event loop" and refuses every ORM call made from the test
    # (seed data, transactional_db's flush) with SynchronousOnlyOperation, although these calls are
    # plain synchronous code. Allow them, from now until the browser is gone; browser tests run
    # last (pytest_collection_modifyitems above), so no other test runs with the check disabled.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def axe():
    if not axe_available():
        _unavailable("axe-playwright-python (axe-core) is not installed; run ./dev test to install it")
    return Axe()


@pytest.fixture
def accessibility_allowances():
    return ALLOWANCES


def _screens_of(item) -> set[str]:
    """The screens a test runs at: those it is parametrized with, else the default."""
    for marker in item.iter_markers("parametrize"):
        names, values = marker.args[0], marker.args[1]
        names = [name.strip() for name in names.split(",")] if isinstance(names, str) else list(names)
        if "screen" in names:
            if len(names) == 1:
                return set(values)
            return {value[names.index("screen")] for value in values}
    return {"desktop"}


@pytest.fixture
def accessibility(axe, screen, accessibility_allowances, request):
    """What axe-core found on the pages this test reached (see the module docstring). A journey
    that runs at one width only has its pages checked at the other width as well."""
    global _seconds_checking
    ran_at = _screens_of(request.node)
    other_widths = {name: SCREENS[name]["viewport"] for name in SCREENS if name not in ran_at}
    check = AccessibilityCheck(axe, screen, accessibility_allowances, other_widths)
    yield check
    _pages_checked.extend(check.checked)
    _seconds_checking += check.seconds
    for _violation, allowance in check.allowed.values():
        _allowances_used[allowance] = _allowances_used.get(allowance, 0) + 1


def pytest_terminal_summary(terminalreporter):
    if not _pages_checked:
        return
    write = terminalreporter.write_line
    terminalreporter.section("accessibility (axe-core, WCAG 2.1 A and AA)")
    distinct = sorted(set(_pages_checked))
    write(f"{len(_pages_checked)} checks in {_seconds_checking:.1f} s, of {len(distinct)} pages")
    SCREENSHOT_DIR.parent.mkdir(parents=True, exist_ok=True)
    listing = SCREENSHOT_DIR.parent / "accessibility-pages.txt"
    listing.write_text("".join(f"{path}  lang={lang}  {width}\n" for path, lang, width in distinct))
    write(f"    (path, language, width) listed in {listing.relative_to(REPO_ROOT)}")
    for allowance in ALLOWANCES:
        used = _allowances_used.get(allowance, 0)
        state = f"tolerated on {used} element(s)" if used else "matched nothing (remove it once fixed)"
        write(f"Temporary allowance {allowance.rule} on {', '.join(allowance.pages)}: {state}.")
        write(f"    Fix: {allowance.fix}")


@pytest.fixture
def screen():
    """The screen a test runs at; override with @pytest.mark.parametrize("screen", ["desktop", "phone"])."""
    return "desktop"


@pytest.fixture
def browser_locale():
    """The browser's language (Accept-Language and navigator.language): a Quebec user by default."""
    return "fr-CA"


@pytest.fixture
def context(browser, live_server, screen, browser_locale):
    ctx = browser.new_context(base_url=live_server.url, locale=browser_locale, **SCREENS[screen])
    ctx.set_default_timeout(10_000)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def browser_errors():
    """What went wrong in `page` without showing: JavaScript errors, console errors (CSP
    violations among them), responses with an error status, failed requests."""
    return []


@pytest.fixture
def page(context, browser_errors, request, screenshot, accessibility, monkeypatch):
    page = context.new_page()

    accessibility.watch(page, monkeypatch)

    def on_console(message):
        # A failed load is reported by on_response below, with its address.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            browser_errors.append(f"console error: {message.text}")

    def on_response(response):
        if response.status >= 400:
            browser_errors.append(f"HTTP {response.status}: {response.request.method} {response.url}")

    page.on("pageerror", lambda error: browser_errors.append(f"page error: {error}"))
    page.on("console", on_console)
    page.on("response", on_response)

    def on_request_failed(request):
        # ERR_ABORTED is the browser cancelling a load because the page moved on (a click that
        # navigates while the stylesheet is still arriving): not an error of the portal. Error
        # statuses are caught by on_response above.
        if "ERR_ABORTED" not in (request.failure or ""):
            browser_errors.append(f"request failed: {request.url} {request.failure}")

    page.on("requestfailed", on_request_failed)
    yield page
    report = request.node.stash.get(_call_report, None)
    if report is not None and report.failed and not page.is_closed():
        try:
            screenshot.save(page, "failure")
        except Exception:  # noqa: S110 - a failure screenshot must not hide the real failure
            pass


def _file_part(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")


class _Screenshots:
    def __init__(self, test_name: str, accessibility: AccessibilityCheck):
        self._test_name = test_name
        self._accessibility = accessibility

    def __call__(self, page, step: str) -> Path:
        # What the journey shows is what people meet: check it as it is shown.
        self._accessibility.check(page)
        return self.save(page, step)

    def save(self, page, step: str) -> Path:
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOT_DIR / f"{self._test_name}-{_file_part(step)}.png"
        page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def screenshot(request, accessibility):
    """screenshot(page, "step") checks the page with axe-core and saves
    artefacts/screenshots/<test-name>-<step>.png (whole page)."""
    test_name = _file_part(request.node.name)
    for stale in SCREENSHOT_DIR.glob(f"{test_name}-*.png"):  # from an earlier run of this test
        stale.unlink()
    return _Screenshots(test_name, accessibility)
