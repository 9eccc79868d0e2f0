"""resumable.js in headless Chromium: a file chosen in a plain <input type=file multiple> goes up in
chunks with a labelled <progress>, survives a dropped connection by resuming from the server's offset,
and the form then carries only its upload id. Marked `browser`; skipped without Chromium."""

import hashlib
import os
from urllib.parse import urlsplit

import pytest
from django.test import Client

from messaging.uploads.models import Upload
from tests.conftest import require_service
from tests.e2e.accessibility import Axe, axe_available

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
MiB = 1024 * 1024


@pytest.fixture
def chromium_page(live_server, settings):
    path = os.environ.get("PORTAIL_CHROMIUM") or "/usr/bin/chromium"
    if not os.access(path, os.X_OK):
        require_service(f"Chromium not found at {path}")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread until stopped: Django would refuse the
    # test's own ORM calls meanwhile (tests/e2e/conftest.py explains it); allowed until the end.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=path, headless=True, args=["--no-sandbox"])
    try:
        yield browser.new_context(base_url=live_server.url, locale="en")
    finally:
        browser.close()
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def test_a_chosen_file_goes_up_in_chunks_resumes_after_a_drop_and_only_its_id_is_posted(
    uploads_root, settings, user_a, sign_in, chromium_page, tmp_path
):
    if not axe_available():
        require_service("axe-playwright-python (axe-core) is not installed")
    settings.TENANT_URLCONF = "tests.messaging.uploads.urls_tenant"
    client = sign_in(user_a, client=Client())
    chromium_page.add_cookies(
        [
            {
                "name": name,
                "value": cookie.value,
                "url": chromium_page.pages and "" or os.environ.get("X", ""),
            }
            for name, cookie in []
        ]
    )
    session = client.cookies["sessionid"].value
    page = chromium_page.new_page()
    page.goto("/alpha/sign-in/")  # any page, to set the cookie on the right origin
    host = urlsplit(page.url).hostname
    chromium_page.add_cookies([{"name": "sessionid", "value": session, "domain": host, "path": "/"}])

    data = hashlib.sha256(b"browser").digest() * (9 * MiB // 32) + b"tail"  # two chunks of 8 MiB
    chosen = tmp_path / "Relevé annuel.pdf"
    chosen.write_bytes(data)

    dropped = []

    def drop_the_first_second_chunk(route, request):
        if request.method == "PATCH" and request.headers.get("upload-offset") == str(8 * MiB) and not dropped:
            dropped.append(request.url)
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/messages/files/**", drop_the_first_second_chunk)
    console = []
    page.on("console", lambda message: console.append(message.text))
    page.on("pageerror", lambda error: console.append(str(error)))
    page.on("response", lambda r: console.append(f"{r.request.method} {r.url} {r.status}"))
    page.goto("/alpha/_test/compose/")
    page.get_by_label("Files", exact=True).set_input_files(str(chosen))

    progress = page.get_by_role("progressbar", name="Relevé annuel.pdf")
    progress.wait_for()
    hidden = page.locator("input[type=hidden][name=upload_ids]")
    try:
        hidden.wait_for(state="attached", timeout=60_000)
    except Exception:
        raise AssertionError(f"{page.locator('.upload-list').inner_text()!r} {console}") from None
    assert dropped, "the second chunk was never sent"
    page.locator(".upload-note", has_text="Relevé annuel.pdf: sent.").wait_for(timeout=30_000)
    assert page.get_by_role("status").inner_text() == "Relevé annuel.pdf: sent."
    assert progress.get_attribute("value") == str(len(data))

    upload = Upload.objects.get()
    assert hidden.get_attribute("value") == str(upload.pk)
    assert upload.status == Upload.Status.CLEAN and upload.sha256 == hashlib.sha256(data).hexdigest()
    assert upload.name == "Relevé annuel.pdf" and upload.owner == user_a

    # The field with its finished file, progress bar and "Remove" button passes WCAG 2.1 A and AA.
    _, violations = Axe().violations(page, screen="desktop")
    assert violations == [], "\n".join(map(str, violations))

    page.get_by_role("button", name="Send").click()
    page.wait_for_load_state()
    # The bytes went once, by chunks: the form posts the id and no file.
    assert page.locator("body").inner_text().strip() == f"ids={upload.pk} files="
