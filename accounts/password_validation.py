"""Password rules after NIST SP 800-63B-4: a long password of any characters, no composition rules and
no expiry; refused when it is common or leaked (offline lists), a plain pattern, or made of the
person's identifier or name or the organisation's name. The last-passwords rule is in
password_history.py. `rules_for(user)` gives the lines a form shows, with the tenant's numbers."""

import gzip
import re
import unicodedata
from functools import cache
from pathlib import Path

import django.contrib.auth
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

DEFAULT_MIN_LENGTH = 15
MAX_LENGTH = 256
LONG_LIST = Path(__file__).resolve().parent / "data" / "breached-long.txt.gz"
DJANGO_LIST = Path(django.contrib.auth.__file__).resolve().parent / "common-passwords.txt.gz"
KEYBOARD_ROWS = (
    "1234567890",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "azertyuiop",
    "qsdfghjklm",
    "wxcvbn",
    "qwertzuiop",
    "yxcvbnm",
    "abcdefghijklmnopqrstuvwxyz",
    "qwertyuiopasdfghjklzxcvbnm",
    "azertyuiopqsdfghjklmwxcvbn",
    "qwertzuiopasdfghjklyxcvbnm",
    "1q2w3e4r5t6y7u8i9o0p",
    "1a2z3e4r5t6y7u8i9o0p",
)


def min_length_for(user) -> int:
    tenant = getattr(user, "tenant", None)
    if tenant is None:
        return DEFAULT_MIN_LENGTH
    return max(DEFAULT_MIN_LENGTH, tenant.account_settings.password_min_length)


def _length(password: str) -> int:
    return len(unicodedata.normalize("NFKC", password))


def fold(text: str) -> str:
    """Accents, case and everything but letters and digits folded away, for comparisons."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c)).casefold()


class TenantLengthValidator:
    """At least the tenant's minimum (15 by default), at most 256; spaces and any Unicode count."""

    def __init__(self, max_length=MAX_LENGTH):
        self.max_length = max_length

    def validate(self, password, user=None):
        minimum, length = min_length_for(user), _length(password)
        if length < minimum:
            raise ValidationError(
                ngettext(
                    "This password is too short: %(length)d character; at least %(minimum)d are needed.",
                    "This password is too short: %(length)d characters; at least %(minimum)d are needed.",
                    length,
                )
                % {"length": length, "minimum": minimum},
                code="password_too_short",
            )
        if length > self.max_length:
            raise ValidationError(
                _("This password is longer than %(maximum)d characters; shorten it.")
                % {"maximum": self.max_length},
                code="password_too_long",
            )

    def help_text_for(self, user) -> str:
        return _(
            "At least %(minimum)d characters (up to %(maximum)d). Spaces and every character are welcome: "
            "a sentence of a few words is easiest."
        ) % {"minimum": min_length_for(user), "maximum": self.max_length}

    def get_help_text(self):
        return self.help_text_for(None)


@cache
def _common_passwords() -> frozenset:
    """Django's list of 20,000 common passwords and our list of long leaked ones, loaded once."""
    words = set()
    for path in (DJANGO_LIST, LONG_LIST):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            words.update(line.strip() for line in handle if line.strip() and not line.startswith("#"))
    return frozenset(words)


def _is_repeated_unit(text: str) -> bool:
    """'abcabcabc…', 'aaaa…', 'passwordpassword': one short unit said again and again."""
    return bool(re.fullmatch(r"(.{1,8}?)\1+", text))


def _is_sequence(text: str) -> bool:
    """A straight run along the alphabet, the digits or a keyboard row, either way."""
    if len(text) < 4:
        return False
    if all(ord(b) - ord(a) == 1 for a, b in zip(text, text[1:], strict=False)):
        return True
    if all(ord(a) - ord(b) == 1 for a, b in zip(text, text[1:], strict=False)):
        return True
    for row in KEYBOARD_ROWS:
        for line in (row * 3, row[::-1] * 3):
            if text in line:
                return True
    return False


class CommonOrBreachedValidator:
    """Refused when found in the offline lists, a plain pattern, or a listed word with only digits
    and symbols around it ("password123456789!")."""

    def validate(self, password, user=None):
        text = unicodedata.normalize("NFKC", password).strip().casefold()
        compact = re.sub(r"\s+", "", text)
        listed = _common_passwords()
        core = re.sub(r"^[\W\d_]+|[\W\d_]+$", "", compact)
        if (
            text in listed
            or compact in listed
            or (len(core) >= 4 and core in listed)
            or _is_repeated_unit(compact)
            or _is_sequence(compact)
            or _is_sequence(re.sub(r"[\W_]+", "", compact))
        ):
            raise ValidationError(
                _(
                    "This password appears in lists of common or leaked passwords, or follows a simple "
                    "pattern; choose another (a sentence of a few unrelated words works well)."
                ),
                code="password_common",
            )

    def get_help_text(self):
        return _("Not a common or leaked password, and not a simple pattern such as 123456789 or azerty.")


def _member_number(user) -> str:
    # Django builds the validators from settings before the models are ready: imported when used.
    from .selectors import member_number_of

    return member_number_of(user=user) if getattr(user, "tenant_id", None) else ""


class PersonalContextValidator:
    """Refused when it holds the person's identifier, e-mail name, first or last name, member number,
    or the organisation's slug or name."""

    def _forbidden(self, user):
        if user is None:
            return []
        words = [
            getattr(user, "identifier", ""),
            (getattr(user, "email", "") or "").split("@")[0],
            getattr(user, "first_name", ""),
            getattr(user, "last_name", ""),
            _member_number(user),
        ]
        tenant = getattr(user, "tenant", None)
        if tenant is not None:
            words += [tenant.slug, tenant.name_fr, tenant.name_en]
            for name in (tenant.name_fr, tenant.name_en):
                words += [w for w in re.split(r"[\W_]+", name or "") if len(fold(w)) >= 5]
        return [f for f in {fold(w) for w in words if w} if len(f) >= 4]

    def validate(self, password, user=None):
        folded = fold(password)
        if any(word in folded for word in self._forbidden(user)):
            raise ValidationError(
                _("The password may not contain your identifier, your name or the organisation's name."),
                code="password_personal",
            )

    def get_help_text(self):
        return _("Not your identifier, your name or the organisation's name.")


def rules_for(user) -> list[tuple[str, str]]:
    """The lines a password form lists, in the order the rules are checked."""
    return [
        ("password_too_short", TenantLengthValidator().help_text_for(user)),
        ("password_common", CommonOrBreachedValidator().get_help_text()),
        ("password_personal", PersonalContextValidator().get_help_text()),
    ]
