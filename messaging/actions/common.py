"""What every action of secure conversations shares: the refusal, the audit entry, and the addresses
as personas of the tenant."""

from django.db import transaction

from portal.audit import record_audit

from ..models import Persona


class Refused(Exception):
    """An action the rules do not allow; its message is for the person who asked."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


# An action that may refuse keeps a savepoint: when it is called inside a caller's transaction (an
# action calling another, a test), its refusal undoes its own writes and leaves the caller's usable.
refusable = transaction.atomic


def _audit(tenant, actor, action, *, target=None, request=None, details=None):
    record_audit(tenant=tenant, actor=actor, action=action, target=target, request=request, details=details)


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def persona_for(*, tenant, email: str) -> Persona:
    """The address's persona on this tenant, made the first time someone writes to it."""
    persona, _created = Persona.objects.get_or_create(tenant=tenant, email=normalise_email(email))
    return persona


def personas_for(*, tenant, emails) -> list[Persona]:
    """The addresses' personas on this tenant, in the order given, without repeats; those written to for
    the first time are made. Two statements however many addresses a conversation starts with."""
    wanted = list(dict.fromkeys(normalise_email(email) for email in emails))
    Persona.objects.bulk_create(  # tenant-guard: rows built with their tenant
        [Persona(tenant=tenant, email=email) for email in wanted], ignore_conflicts=True
    )
    found = {p.email: p for p in Persona.objects.for_tenant(tenant).filter(email__in=wanted)}
    return [found[email] for email in wanted]
