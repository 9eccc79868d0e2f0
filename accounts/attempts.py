"""Checking a proof of identity, under the account's one lockout.

Every proof (password, answers, device code, PIN, identity data, mailed code) calls `attempt()`:
it refuses while the account (or the unknown identifier) is locked, spends the same hashing time
whether the account exists or not, counts a failure towards the same lock, and clears the count
on success. The per-address throttle of accounts.lockout applies too. It lives in the core because
the device step of the sign-in is the core's; self-service's proofs call the same function."""

from dataclasses import dataclass

from portal.audit import record_audit

from . import actions as account_actions
from . import lockout
from .forms import address_message, locked_message, spend_password_hash
from .identifiers import normalise_identifier

# A refused proof is recorded as "selfservice.proof_failed": the key keeps its first name so that the
# audit history of every account still reads the same (its label is in AccountsConfig).


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
