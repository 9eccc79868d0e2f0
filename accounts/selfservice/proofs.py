"""The proofs of identity of self-service: the questions asked, the device codes, the recovery flow in
the session. Every proof is checked through accounts.guard.check_secret, under the account's one
lockout."""

import hashlib
import hmac
import secrets
import time

from django.conf import settings

# The device check is the core's; self-service calls it from here.
from accounts.devices import (  # noqa: F401
    BACKUP_SET,
    device_code_work,
    devices_of,
    has_device,
    verify_device_code,
)
from accounts.identifiers import normalise_identifier

from .models import SecurityAnswer, SecurityQuestion

FLOW_KEY = "_selfservice_flow"
FLOW_SECONDS = 15 * 60
CODE_SECONDS = 15 * 60


# Security questions -------------------------------------------------------------------------------


def answers_of(user, purpose=SecurityAnswer.Purpose.SELF):
    """Every answer of the account, withdrawn questions included (to manage them)."""
    if user is None:
        return []
    return list(
        SecurityAnswer.objects.for_tenant(user.tenant)
        .filter(user=user, purpose=purpose)
        .select_related("question")
    )


def active_answers(user):
    """The answers to questions still in the catalogue (the signed-in trial asks all of them)."""
    return [a for a in answers_of(user) if a.question.is_active]


def questions_asked(user):
    """The answers a proof asks for: the tenant's count, from questions still in the catalogue. An
    account with fewer of them than that has no questions to prove with (it is asked decoys, like an
    unknown identifier, and recovers by another proof), so a page never shows a withdrawn question
    or a count that decoys would not show."""
    if user is None:
        return []
    active = active_answers(user)
    count = user.tenant.selfservice_settings.security_question_count
    return active[:count] if len(active) >= count else []


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


# The recovery flow in the session -------------------------------------------------------------------


def start_flow(request, purpose: str, identifier: str = "") -> dict:
    flow = {"purpose": purpose, "identifier": identifier, "at": int(time.time()), "tenant": request.tenant.pk}
    request.session[FLOW_KEY] = flow
    return flow


def get_flow(request, *purposes):
    flow = request.session.get(FLOW_KEY)
    if not flow or flow.get("purpose") not in purposes or time.time() - flow["at"] > FLOW_SECONDS:
        return None
    if flow.get("tenant") != request.tenant.pk:
        return None  # started on another tenant: its account and proof mean nothing here
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
