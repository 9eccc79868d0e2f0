"""Checking a proof of identity, under the account's one lockout.

Every proof (password, answers, device code, PIN, identity data, mailed code) calls `attempt()`:
it refuses while the account (or the unknown identifier) is locked, spends the same hashing time
whether the account exists or not, counts a failure towards the same lock, and clears the count
on success. The per-address throttle of accounts.lockout applies too."""

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from django.conf import settings

from accounts import actions as account_actions
from accounts import lockout
from accounts.forms import address_message, locked_message, spend_password_hash
from accounts.identifiers import normalise_identifier
from portal.audit import record_audit

from .models import AuthenticatorDevice, BackupCodeDevice, SecurityAnswer, SecurityQuestion

FLOW_KEY = "_selfservice_flow"
FLOW_SECONDS = 15 * 60
CODE_SECONDS = 15 * 60


@dataclass
class Outcome:
    ok: bool
    error: str = ""


def attempt(request, *, account, identifier: str, check, scope: str = "", tenant=None) -> Outcome:
    """Run `check()` (which returns True or False and spends its hashing time) under the lockout.
    `scope` separates the unlock path's counter from the account's own: a locked person must be able to
    try the unlock proofs, a limited number of times. `tenant`: the account's, when not the request's."""
    tenant = tenant or request.tenant
    minutes = lockout.address_blocked(request)
    if minutes:
        spend_password_hash("")
        return Outcome(False, address_message(minutes))
    key = _key(tenant, account, identifier, scope)
    state = lockout.current_state(tenant, key)
    if state.locked:
        spend_password_hash("")
        return Outcome(False, locked_message(state.minutes_left))
    if check():
        if state.counted:
            lockout.clear(key)
        return Outcome(True)
    lockout.register_address_failure(request)
    step = request.resolver_match.url_name if getattr(request, "resolver_match", None) else ""
    # On the account it names (never with what was typed), in that account's tenant.
    record_audit(
        tenant=tenant,
        actor=None,
        action="selfservice.proof_failed",
        target=account,
        request=request,
        details={"step": step},
    )
    state = lockout.register_failure(tenant, key)
    if state.locked:
        if account is not None and not scope:
            account_actions.record_lock(user=account, request=request)
        return Outcome(False, locked_message(state.minutes_left))
    return Outcome(False)


def _key(tenant, account, identifier, scope):
    if scope:
        subject = f"{scope}|{account.pk if account is not None else normalise_identifier(tenant, identifier)}"
        return lockout.lock_key(tenant, identifier=subject)
    return lockout.lock_key(tenant, user=account, identifier=identifier)


# Security questions -------------------------------------------------------------------------------


def answers_of(user, purpose=SecurityAnswer.Purpose.SELF):
    if user is None:
        return []
    return list(
        SecurityAnswer.objects.for_tenant(user.tenant)
        .filter(user=user, purpose=purpose)
        .select_related("question")
    )


def decoy_questions(tenant, identifier: str, count: int):
    """Questions for an identifier that has none (or names no account), picked by a keyed hash so the
    same identifier always sees the same ones: the page never tells whether an account exists."""
    catalogue = list(SecurityQuestion.objects.for_tenant(tenant).filter(is_active=True))
    seed = _seed(tenant, identifier)
    catalogue.sort(key=lambda q: hmac.new(seed, str(q.pk).encode(), hashlib.sha256).digest())
    return catalogue[:count]


def decoy_prefers_questions(tenant, identifier: str) -> bool:
    """For recovery: an unknown identifier goes to the questions or to the PIN, as real accounts do."""
    return _seed(tenant, identifier)[0] % 2 == 0


def _seed(tenant, identifier):
    message = f"decoy|{tenant.pk}|{normalise_identifier(tenant, identifier)}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).digest()


def check_answers(answers, given: dict) -> dict:
    """{answer.pk: right?}. Every answer is hashed, right or wrong, so timing tells nothing."""
    return {a.pk: a.check_answer(given.get(a.pk, "")) for a in answers}


# Mobile device -------------------------------------------------------------------------------------


def devices_of(user):
    return list(AuthenticatorDevice.objects.for_tenant(user.tenant).filter(user=user, confirmed=True))


def has_device(user) -> bool:
    return (
        user is not None
        and AuthenticatorDevice.objects.for_tenant(user.tenant).filter(user=user, confirmed=True).exists()
    )


def verify_device_code(user, code: str):
    """The device (authenticator app, or the backup codes) that accepts the code, or None."""
    if user is None:
        spend_password_hash(code)
        return None
    for device in devices_of(user):
        if device.verify_token(code):
            return device
    if len(BackupCodeDevice.clean_code(code)) != 6:
        for device in BackupCodeDevice.objects.for_tenant(user.tenant).filter(user=user, confirmed=True):
            if device.verify_token(code):
                return device
    return None


# The recovery flow in the session -------------------------------------------------------------------


def start_flow(request, purpose: str, identifier: str = "") -> dict:
    flow = {"purpose": purpose, "identifier": identifier, "at": int(time.time())}
    request.session[FLOW_KEY] = flow
    return flow


def get_flow(request, *purposes):
    flow = request.session.get(FLOW_KEY)
    if not flow or flow.get("purpose") not in purposes or time.time() - flow["at"] > FLOW_SECONDS:
        return None
    return flow


def save_flow(request, flow):
    request.session[FLOW_KEY] = flow
    request.session.modified = True


def end_flow(request):
    request.session.pop(FLOW_KEY, None)


def new_mail_code() -> str:
    return f"{secrets.randbelow(10**8):08d}"


def code_digest(code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"mail-code|{code}".encode(), hashlib.sha256).hexdigest()
