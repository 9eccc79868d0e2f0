"""What the proofs of identity need besides the guard: decoys for identifiers without questions (or
without an account), the answers' check, and the code mailed after a proof. Every proof is checked
through accounts.guard.check_secret, under the account's one lockout."""

import hashlib
import hmac
import secrets

from django.conf import settings

from accounts.identifiers import normalise_identifier

from .selectors import offered_questions


def decoy_questions(tenant, identifier: str, count: int):
    """Questions for an identifier that has none (or names no account), picked by a keyed hash so the
    same identifier always sees the same ones: the page never tells whether an account exists."""
    catalogue = offered_questions(tenant=tenant)
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


def new_mail_code() -> str:
    return f"{secrets.randbelow(10**8):08d}"


def code_digest(code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"mail-code|{code}".encode(), hashlib.sha256).hexdigest()
