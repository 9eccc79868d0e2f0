"""The one door for every check of a secret: a password, answers, a device code, a PIN, identity data,
a mailed code, a caller's answers, the current password of a signed-in session.

`check_secret()` finds the lock keys of the attempt, refuses while any of them (or the client address)
is locked, reserves the attempt before the secret is checked (so parallel requests never check more
than the threshold), spends the same hashing work whether the account exists or not, clears the count
on success and audits the failure. A call site only says what the secret is and how to check it.

Lockout must not become a weapon against the person it protects (OWASP, "device cookies"): a browser
that signed in to an account carries a signed cookie for it. With a valid cookie the attempt counts on
that cookie's own budget (the tenant's threshold) and is refused neither by the account's lock nor by
the address throttle that others caused; once that budget is spent, that browser waits out the lock
duration like a locked account."""

import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.signals import user_logged_in
from django.core import signing
from django.dispatch import receiver
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.audit import record_audit
from portal.contact import reach_helpdesk

from . import lockout, sessions, stages
from .actions import record_lock
from .identifiers import normalise_identifier

DEVICE_COOKIE_SALT = "accounts.guard.device-cookie"
DEVICE_COOKIE_DAYS = 180

# The audit action of a refused proof of identity (the core's device step and every self-service
# proof); its label is declared in AccountsConfig. The key keeps its first name so that the audit
# history of every account still reads the same.
PROOF_FAILED = "selfservice.proof_failed"


def locked_message(minutes: int, tenant=None) -> str:
    """The lock, how long, and what to do now. It names no method (password, device, questions): the
    lock may come from any of them, and a method named would tell which one the account has."""
    parts = [
        ngettext(
            "Your account has been temporarily locked after too many attempts. Try again in %(minutes)d "
            "minute.",
            "Your account has been temporarily locked after too many attempts. Try again in %(minutes)d "
            "minutes.",
            minutes,
        )
        % {"minutes": minutes}
    ]
    if tenant is not None and "selfservice" in tenant.modules:
        parts.append(
            _("To unlock it now, choose “My account is locked” on the sign-in page and prove it is you.")
        )
    if tenant is not None and (helpdesk := reach_helpdesk(tenant)):
        parts.append(helpdesk)
    return " ".join(str(part) for part in parts)


def address_message(minutes: int) -> str:
    return ngettext(
        "Too many failed attempts from your connection. Try again in %(minutes)d minute.",
        "Too many failed attempts from your connection. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


def spend_password_hash(secret: str = "", times: int = 1) -> None:
    """Cost what checking a secret costs, so a refused or unknown attempt takes as long as a checked one."""
    for _time in range(max(1, times)):
        make_password(secret or "")


@dataclass(frozen=True)
class Verdict:
    ok: bool
    error: str = ""  # the lock or throttle message; empty: the call site's own "wrong" message
    locked: bool = False


def check_secret(
    request,
    *,
    account,
    check: Callable[[], bool],
    identifier: str = "",
    also: Iterable[str] = (),
    tenant=None,
    scope: str = "",
    hashes: int = 1,
    spent: int | None = None,
    audit: str | None = None,
    details: dict | None = None,
    by_address: bool = True,
) -> Verdict:
    """Check one secret under the lockout; the one function every identity check goes through.

    - `account`: the account the attempt names; None when it names none (`check` is then not called).
    - `check()`: True or False; None when the account has nothing on file to compare with. For None,
      as for no account, the guard spends the hashes itself.
    - `identifier`: what was typed, counted on when no account is found.
    - `also`: other identifiers the attempt could land on (identity data): the guess counts on, and
      is refused by, each of them.
    - `scope`: a count of its own for the account (the unlock path, the mailed links, the caller check).
    - `hashes`: how many password hashes `check()` spends for a real account; 0 for a device code or a
      mailed code, for which the guard spends one, so every answer costs the same.
    - `spent`: when `check()` spends fewer hashes than `hashes` for this account (a device code: none
      for an app's code, one per backup code left for a backup code), how many; the guard spends the
      rest.
    - `audit`: the action recorded on a failure, on the account named (never with what was typed).
    - `tenant`: the account's, when it is not the request's.
    - `by_address=False`: a check typed by staff (the caller check); the agent's address is not the
      caller's."""
    tenant = tenant if tenant is not None else getattr(request, "tenant", None)
    cookie_key = _trusted_cookie_key(request, tenant, account)
    if cookie_key is not None:
        # A trusted browser whose own budget is spent waits like a locked account; it never gets the
        # untrusted clients' budget on top of its own.
        keys = [cookie_key]
        reservation = lockout.reserve(tenant, keys)
        if reservation.refused:
            spend_password_hash(times=hashes)
            return Verdict(False, locked_message(reservation.minutes_left, tenant), locked=True)
    else:
        keys = _keys(tenant, account, identifier, also, scope)
        blocked = lockout.reserve_address(request) if by_address else 0
        if blocked:
            spend_password_hash(times=hashes)
            return Verdict(False, address_message(blocked), locked=True)
        reservation = lockout.reserve(tenant, keys)
        if reservation.refused:
            spend_password_hash(times=hashes)
            return Verdict(False, locked_message(reservation.minutes_left, tenant), locked=True)
    result = check() if account is not None else None
    if result is None:
        spend_password_hash(times=hashes)
    elif spent is not None and spent < hashes:
        spend_password_hash(times=hashes - spent)
    elif hashes == 0:
        spend_password_hash()
    ok = bool(result)
    if ok:
        lockout.clear_reservation(keys)
        if cookie_key is None and by_address:
            lockout.release_address(request)
        return Verdict(True)
    if audit:
        record_audit(
            tenant=tenant, actor=None, action=audit, target=account, request=request, details=details
        )
    if reservation.last:
        if account is not None and not scope and cookie_key is None:
            record_lock(user=account, request=request)
        return Verdict(False, locked_message(reservation.minutes_left, tenant), locked=True)
    return Verdict(False)


def _keys(tenant, account, identifier, also, scope) -> list[str]:
    if scope:
        subject = account.pk if account is not None else normalise_identifier(tenant, identifier)
        keys = [lockout.lock_key(tenant, identifier=f"{scope}|{subject}")]
    else:
        keys = [lockout.lock_key(tenant, user=account, identifier=identifier)]
    keys += [lockout.lock_key(tenant, identifier=other) for other in also]
    return list(dict.fromkeys(keys))


# Device cookies -------------------------------------------------------------------------------------


def device_cookie_name(tenant) -> str:
    return f"portail_device_{tenant.pk}" if tenant is not None else "portail_device_platform"


def _salt(tenant) -> str:
    return f"{DEVICE_COOKIE_SALT}|{tenant.pk if tenant is not None else 'platform'}"


def _trusted_cookie_key(request, tenant, account):
    """The lock key of this browser's device cookie when it is valid for `account`; None otherwise."""
    if account is None or request is None or not hasattr(request, "COOKIES"):
        return None
    value = request.COOKIES.get(device_cookie_name(tenant))
    if not value:
        return None
    try:
        payload = signing.loads(value, salt=_salt(tenant), max_age=DEVICE_COOKIE_DAYS * 86400)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or payload.get("u") != account.pk:
        return None
    return lockout.lock_key(tenant, identifier=f"device-cookie|{payload.get('n', '')}")


def set_device_cookie(response, request) -> None:
    """After a successful sign-in: this browser is trusted for this account from now on.

    A sign-in is successful once every stage of accounts.stages is through. The help desk's page signs
    the session in before the stages run (they run on its next page, where the device stage signs it
    out again): a password alone must not earn the cookie, or every sign-in with a known password would
    bring a fresh budget of guesses at the device code that the account's lock never stops."""
    user = getattr(request, "_portail_signed_in", None)
    if user is None:
        return
    session = getattr(request, "session", None)
    if session is None or not session.get(stages.DONE) or getattr(request.user, "pk", None) != user.pk:
        return
    tenant = user.tenant
    value = signing.dumps({"u": user.pk, "n": secrets.token_urlsafe(12)}, salt=_salt(tenant))
    response.set_cookie(
        device_cookie_name(tenant),
        value,
        max_age=DEVICE_COOKIE_DAYS * 86400,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


@receiver(user_logged_in, dispatch_uid="accounts.guard.remember_sign_in")
@receiver(stages.signed_in, dispatch_uid="accounts.guard.remember_stages_through")
def _remember_sign_in(sender, request, user, **kwargs):
    # stages.signed_in: the help desk's session, signed in already, got through the stages without a
    # second login().
    if request is not None:
        request._portail_signed_in = user


class HeldWritesMiddleware:
    """Around the whole request, outside the session middleware: a success's clear of its lock
    reservation and its address's give-back (lockout.writes_held), and the sign-in's writes after the
    hash (sessions.writes_held) may wait for what carries them, the new session's INSERT and its cache
    write; what none took is written when the request ends, whatever the view did.

    Only around a POST, where a secret is typed: any other request, every page read, goes straight
    through and writes at once whatever it writes (its cost showed on the signed-in page,
    benchmarks/run.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method != "POST":
            return self.get_response(request)
        with lockout.writes_held(), sessions.writes_held():
            return self.get_response(request)


class DeviceCookieMiddleware:
    """Hands the device cookie to a browser in the response of the request that signed it in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        set_device_cookie(response, request)
        return response
