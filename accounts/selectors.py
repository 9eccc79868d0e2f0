"""Reads on accounts that more than one place needs. Each takes the tenant explicitly and reads
through `for_tenant`."""

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from portal.models import AuditEntry

from .identifiers import normalise_identifier
from .models import AccountSettings, User


def audit_entries_about(*, tenant, target, actions: Iterable[str] | None = None) -> QuerySet[AuditEntry]:
    """The audit history of one object on this tenant, newest first (unsliced, so callers take as
    many as their page shows). `actions` narrows it: each item is an action key
    ("account.language_changed"), or a family of keys when it ends with a dot ("selfservice.")."""
    entries = AuditEntry.objects.for_tenant(tenant).filter(
        target_type=target._meta.label_lower, target_id=str(target.pk)
    )
    if actions is not None:
        wanted = Q(pk__in=[])
        for action in actions:
            wanted |= Q(action__startswith=action) if action.endswith(".") else Q(action=action)
        entries = entries.filter(wanted)
    return entries.order_by("-created_at", "-id")


def user_for_sign_in(*, tenant, identifier: str):
    """The account a sign-in form names on this tenant, or None. Platform accounts when tenant is None."""
    if tenant is None:
        return User.objects.filter(tenant__isnull=True, identifier=identifier.strip()).first()
    value = normalise_identifier(tenant, identifier)
    if not value:
        return None
    users = User.objects.for_tenant(tenant)
    if tenant.account_settings.sign_in_with == AccountSettings.SignIn.IDENTIFIER_OR_EMAIL and "@" in value:
        # Seed 004: the personal e-mail is a second identifier. Only one account may answer to it.
        matches = list(users.filter(email=value)[:2])
        return matches[0] if len(matches) == 1 else None
    return users.filter(identifier=value).first()
