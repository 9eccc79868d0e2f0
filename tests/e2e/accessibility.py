"""axe-core in the browser journeys: every page a journey reaches is checked against WCAG 2.1 A and AA.

axe-core's script comes from the `axe-playwright-python` package (a dev extra, installed by
`./dev test`), which bundles it; nothing is fetched while the tests run. It is evaluated in the page
through the DevTools protocol, which the portal's Content-Security-Policy does not govern, so the
pages are checked with their real policy in force.

conftest.py wires it in: `AccessibilityCheck.watch` on the `page` fixture (each new page, before
the journey's first step on it), a check in `screenshot` (the page as shown) and one when the
journey ends (the last page); a violation left after the allowances fails the journey.
"""

import asyncio
import time
from dataclasses import dataclass
from importlib import resources
from urllib.parse import urlsplit

# The success criteria the portal promises: WCAG 2.0 and 2.1, levels A and AA.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@dataclass(frozen=True)
class Allowance:
    """A known violation of one rule, tolerated for now on the pages listed (paths, without the
    query string), because its fix lies in files that someone else is changing. `fix` says what
    to change and where; the allowance goes when the fix lands. conftest.py keeps the list."""

    rule: str
    pages: tuple[str, ...]
    fix: str

    def covers(self, violation: "Violation") -> bool:
        return violation.rule == self.rule and violation.path in self.pages


@dataclass(frozen=True)
class Violation:
    rule: str
    page: str  # the path, with its query string
    lang: str  # the page's <html lang>
    screen: str
    element: str  # axe's CSS selector for the element
    html: str
    help: str
    help_url: str
    summary: str

    @property
    def path(self) -> str:
        return self.page.split("?", 1)[0]

    def __str__(self) -> str:
        return (
            f"{self.rule} on {self.page} (lang={self.lang}, {self.screen}): {self.element}\n"
            f"    {self.html}\n"
            f"    {self.help} ({self.help_url})\n"
            f"    {self.summary}"
        )


def _axe_script() -> str:
    return resources.files("axe_playwright_python").joinpath("axe.min.js").read_text(encoding="utf-8")


def axe_available() -> bool:
    try:
        _axe_script()
    except (ModuleNotFoundError, FileNotFoundError):
        return False
    return True


_RUN = """async (tags) => {
    const results = await axe.run(document, {
        runOnly: {type: "tag", values: tags},
        resultTypes: ["violations"],
    });
    return {
        lang: document.documentElement.lang,
        violations: results.violations.map((v) => ({
            rule: v.id,
            help: v.help,
            helpUrl: v.helpUrl,
            nodes: v.nodes.map((n) => ({
                target: n.target.join(" "),
                html: n.html,
                summary: n.failureSummary || "",
            })),
        })),
    };
}"""


class Axe:
    """Runs axe-core on a Playwright page; the script is read once per session."""

    def __init__(self):
        self._script = _axe_script()

    def violations(self, page, *, screen: str) -> tuple[str, list[Violation]]:
        """The page's language, and what axe finds there."""
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.evaluate(self._script)
        found = page.evaluate(_RUN, WCAG_TAGS)
        url = urlsplit(page.url)
        path = url.path + (f"?{url.query}" if url.query else "")
        return found["lang"], [
            Violation(
                rule=violation["rule"],
                page=path,
                lang=found["lang"],
                screen=screen,
                element=node["target"],
                html=_shorten(node["html"]),
                help=violation["help"],
                help_url=violation["helpUrl"],
                summary=" ".join(node["summary"].split()),
            )
            for violation in found["violations"]
            for node in violation["nodes"]
        ]


def _shorten(html: str, limit: int = 200) -> str:
    html = " ".join(html.split())
    return html if len(html) <= limit else html[: limit - 1] + "…"


class AccessibilityCheck:
    """What axe found on the pages one test reached, allowances set apart."""

    def __init__(
        self,
        axe: Axe,
        screen: str,
        allowances: list[Allowance],
        other_widths: dict[str, dict] | None = None,
    ):
        """`other_widths`: the screens (name: viewport) the journey does not run at, where each
        page is also checked, the window resized for the check and restored after it."""
        self._axe = axe
        self._screen = screen
        self._allowances = allowances
        self._other_widths = other_widths or {}
        self._new_document = False
        self._checking = False
        self._stopped = False
        self.violations: dict[tuple, Violation] = {}
        self.allowed: dict[tuple, tuple[Violation, Allowance]] = {}
        self.checked: list[tuple[str, str, str]] = []  # (path, lang, width) of each check
        self.seconds = 0.0

    def check(self, page) -> None:
        """Check the page as it is now."""
        self._new_document = False
        self._checking = True
        started = time.perf_counter()
        try:
            page.wait_for_load_state("load")
            found = self._run(page, self._screen, self._screen)
            if self._other_widths:
                viewport = page.viewport_size
                try:
                    for name, other in self._other_widths.items():
                        page.set_viewport_size(other)
                        found += self._run(page, name, f"{name} width, resized")
                finally:
                    page.set_viewport_size(viewport)
        finally:
            self._checking = False
            self.seconds += time.perf_counter() - started
        for violation in found:
            key = (violation.rule, violation.page, violation.lang, violation.element)
            allowance = next((a for a in self._allowances if a.covers(violation)), None)
            if allowance is None:
                self.violations.setdefault(key, violation)
            else:
                self.allowed.setdefault(key, (violation, allowance))

    def _run(self, page, width: str, screen: str) -> list[Violation]:
        lang, found = self._axe.violations(page, screen=screen)
        self.checked.append((urlsplit(page.url).path, lang, width))
        return found

    def watch(self, page, monkeypatch) -> None:
        """Check each new document of `page` once it has loaded, before the journey's next step.

        A journey reaches most pages through a click or a key, not page.goto, so the check hooks
        the one place every call of Playwright's sync API passes (SyncBase._sync): when the main
        frame has moved to a new document since the last call, that call waits until the check is
        done. Only calls made by the test itself (its greenlet) check; event handlers never do.
        """
        # Imported here: without Playwright (and its greenlet), the rest of the suite still runs.
        import greenlet
        from playwright._impl._sync_base import SyncBase

        test_greenlet = greenlet.getcurrent()

        def on_navigated(frame):
            if frame == page.main_frame:
                self._new_document = True

        page.on("framenavigated", on_navigated)
        original_sync = SyncBase._sync

        def sync_after_checking(api_object, awaitable):
            __tracebackhide__ = True
            if (
                self._new_document
                and not self._checking
                and not self._stopped
                and greenlet.getcurrent() is test_greenlet
                and not page.is_closed()
            ):
                try:
                    self._check_new_document(page)
                except BaseException:
                    if asyncio.iscoroutine(awaitable):
                        awaitable.close()  # the call it stood before never runs
                    raise
            return original_sync(api_object, awaitable)

        monkeypatch.setattr(SyncBase, "_sync", sync_after_checking)

    def stop(self) -> None:
        """No more checks of new documents: the journey is over."""
        self._stopped = True

    def _check_new_document(self, page) -> None:
        self._new_document = False
        self._checking = True
        try:
            page.wait_for_load_state("load")
            # A move within the same document (#main) leaves axe in place: already checked.
            already_checked = page.evaluate("typeof window.axe !== 'undefined'")
        finally:
            self._checking = False
        if page.url.startswith(("http:", "https:")) and not already_checked:
            self.check(page)

    def failure_message(self) -> str:
        rules = sorted({violation.rule for violation in self.violations.values()})
        return (
            f"axe-core found {len(self.violations)} WCAG 2.1 A/AA violation(s) ({', '.join(rules)}):\n"
            + "\n".join(str(violation) for violation in self.violations.values())
        )
