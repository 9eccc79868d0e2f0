from portal.models import AuditEntry

from .identifiers import normalise_identifier
from .models import AccountSettings, User


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


def audit_entries_about(*, tenant, target, actions=None):
    """The audit entries of one tenant about one object, newest first; only `actions` if given."""
    entries = AuditEntry.objects.for_tenant(tenant).filter(
        target_type=target._meta.label_lower, target_id=str(target.pk)
    )
    if actions is not None:
        entries = entries.filter(action__in=list(actions))
    return entries.order_by("-created_at", "-id")
