"""Every user-visible string is in the French catalogue, translated, and compiled."""

import gettext
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import require_service

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
SOURCES = ["portal", "accounts", "messaging", "vault", "voting", "templates", "manage.py"]


def read_po(path):
    """{msgid: msgstr or [plural forms]} and the msgids flagged fuzzy (a small reader: no dependency)."""
    entries, fuzzy, current, field, flags = {}, set(), {}, None, ""

    def flush():
        if "msgid" in current and current["msgid"]:
            forms = [v for k, v in sorted(current.items()) if k.startswith("msgstr[")]
            entries[current["msgid"]] = forms if forms else current.get("msgstr", "")
            if "fuzzy" in flags:
                fuzzy.add(current["msgid"])

    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line:
            flush()
            current, field, flags = {}, None, ""
        elif line.startswith("#,"):
            flags = line
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            current[field] += eval(line)  # noqa: S307 - a quoted string of our own catalogue
        else:
            field, _, value = line.partition(" ")
            current[field] = eval(value)  # noqa: S307
    return entries, fuzzy


def test_every_french_string_is_translated():
    entries, fuzzy = read_po(PO)
    assert len(entries) > 50
    untranslated = [k for k, v in entries.items() if not (all(v) if isinstance(v, list) else v)]
    assert untranslated == []
    assert fuzzy == set()


def test_compiled_catalogue_matches_the_source():
    entries, _ = read_po(PO)
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = [k for k, v in entries.items() if not isinstance(v, list) and compiled.gettext(k) != v]
    assert stale == [], "run: python manage.py compilemessages -l fr --ignore=.venv"


def test_catalogue_holds_every_string_of_the_code(tmp_path):
    if not shutil.which("xgettext"):
        require_service("xgettext (Debian package gettext) is needed to extract the strings of the code")
    for name in SOURCES:
        source = ROOT / name
        target = tmp_path / name
        shutil.copytree(source, target) if source.is_dir() else shutil.copy(source, target)
    (tmp_path / "locale").mkdir()
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "fr", "--no-location", "--no-obsolete"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "portal.settings.test",
            "PYTHONPATH": str(ROOT),
        },
    )
    extracted, _ = read_po(tmp_path / "locale" / "fr" / "LC_MESSAGES" / "django.po")
    missing = sorted(set(extracted) - set(read_po(PO)[0]))
    assert missing == [], "run makemessages -l fr and translate:\n" + "\n".join(missing)


@pytest.mark.django_db
def test_mail_is_rendered_in_the_recipients_language(
    user_a, user_b, mailoutbox, django_capture_on_commit_callbacks
):
    from accounts.actions import do_send_test_email

    user_b.preferred_language = "en"
    with django_capture_on_commit_callbacks(execute=True):
        for user in (user_a, user_b):
            do_send_test_email(user=user, actor=None)
    french, english = mailoutbox
    assert french.subject == "Message d’essai de votre portail" and "Bonjour Alice" in french.body
    assert "Alpha FR" in french.alternatives[0][0]
    assert english.subject == "Test message from your portal" and "Hello Bruno" in english.body
    assert "Beta EN" in english.alternatives[0][0]
