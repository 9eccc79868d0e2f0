"""The signed-out journeys' state in the session: which journey, on which tenant, the identifier typed,
and once a proof succeeded, which account proved itself. Read and written here only.

A flow lasts FLOW_SECONDS. It is bound to the tenant it started on: a proof passed on one tenant means
nothing on another. A successful proof restarts the clock, so the step after it (a new password, the
identifier shown) gets its own FLOW_SECONDS."""

import time
from dataclasses import asdict, dataclass, field
from enum import StrEnum

FLOW_KEY = "selfservice.flow"
# What older code kept (an untyped dict): read as no flow, and dropped when a new flow starts.
LEGACY_FLOW_KEY = "_selfservice_flow"
FLOW_SECONDS = 15 * 60

# Signed in by a proof other than the password: a new password may be chosen without the old one for
# a few minutes (docs/journeys.md#selfservice-signed-in).
PROVED_AT = "_selfservice_proved_at"
PROVED_SECONDS = 15 * 60


class Purpose(StrEnum):
    SIGN_IN = "sign_in"
    RECOVER_PASSWORD = "recover"  # noqa: S105 (a journey's name, not a password)
    RECOVER_IDENTIFIER = "identifier"
    UNLOCK = "unlock"

    @property
    def names_account(self) -> bool:
        """The person typed an identifier first; recovering a forgotten identifier finds the account
        from the proof itself."""
        return self is not Purpose.RECOVER_IDENTIFIER


@dataclass
class Flow:
    purpose: Purpose
    tenant_id: int
    identifier: str = ""
    started_at: int = field(default_factory=lambda: int(time.time()))
    account_id: int | None = None
    method: str = ""
    # The digest of the code mailed after a proof, while the person is asked to type it.
    code_digest: str = ""
    proved: bool = False

    def expired(self) -> bool:
        return time.time() - self.started_at > FLOW_SECONDS

    def restart_clock(self) -> None:
        self.started_at = int(time.time())


def start(request, purpose: Purpose, identifier: str = "") -> Flow:
    flow = Flow(purpose=purpose, tenant_id=request.tenant.pk, identifier=identifier)
    save(request, flow)
    return flow


def load(request, *purposes: Purpose) -> Flow | None:
    """The flow of this session if it is one of `purposes`, unexpired and of this tenant; else None."""
    flow = _parse(request.session.get(FLOW_KEY))
    if flow is None or flow.purpose not in purposes or flow.expired():
        return None
    if flow.tenant_id != request.tenant.pk:
        return None  # started on another tenant: its account and proof mean nothing here
    return flow


def save(request, flow: Flow) -> None:
    request.session.pop(LEGACY_FLOW_KEY, None)
    request.session[FLOW_KEY] = asdict(flow)


def end(request) -> None:
    request.session.pop(FLOW_KEY, None)
    request.session.pop(LEGACY_FLOW_KEY, None)


def _parse(data) -> Flow | None:
    if not isinstance(data, dict):
        return None
    try:
        flow = Flow(**data)
        flow.purpose = Purpose(flow.purpose)
    except (TypeError, ValueError):
        return None  # written by another version of this code: start again
    typed = (
        isinstance(flow.tenant_id, int)
        and isinstance(flow.started_at, int | float)
        and isinstance(flow.identifier, str)
        and (flow.account_id is None or isinstance(flow.account_id, int))
        and isinstance(flow.method, str)
        and isinstance(flow.code_digest, str)
        and isinstance(flow.proved, bool)
    )
    return flow if typed else None


# Signed in by a proof ------------------------------------------------------------------------------------


def note_signed_in_by_proof(request) -> None:
    request.session[PROVED_AT] = int(time.time())


def signed_in_by_proof_recently(request) -> bool:
    proved_at = request.session.get(PROVED_AT, 0)
    return isinstance(proved_at, int | float) and time.time() - proved_at < PROVED_SECONDS


def forget_proof(request) -> None:
    request.session.pop(PROVED_AT, None)
