"""Writing the audit log. Modules bring the labels of their actions through their contract
(portal.modules.Module.audit_actions)."""

import ipaddress
import re
from functools import lru_cache

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry
from .modules import all_modules

_ACTION_LABELS = {
    "auth.signed_in": _("Signed in"),
    "auth.signed_out": _("Signed out"),
    "auth.sign_in_failed": _("Sign-in refused"),
    "admin.object_added": _("Added in the help desk"),
    "admin.object_changed": _("Changed in the help desk"),
    "admin.object_deleted": _("Deleted in the help desk"),
    "mail.test_sent": _("Test e-mail sent"),
    "tenant.created": _("Tenant created"),
}

# Words that must never name a detail of the log, whatever its value.
_FORBIDDEN_WORDS = frozenset(
    {"password", "passwords", "token", "answer", "answers", "secret", "pin", "sin", "otp", "key", "code"}
)


def register_action(action: str, label) -> None:
    _ACTION_LABELS[action] = label


def action_label(action: str):
    if action in _ACTION_LABELS:
        return _ACTION_LABELS[action]
    for module in all_modules():
        if action in module.audit_actions:
            return module.audit_actions[action]
    return action


def known_actions() -> dict:
    """Every action the portal and its modules declare, with its label: the audit log's filter
    offers these, instead of reading the distinct actions of millions of rows."""
    labels = {}
    for module in all_modules():
        labels.update(module.audit_actions)
    labels.update(_ACTION_LABELS)
    return labels


def client_ip(request):
    """The client's address: the one the trusted proxies saw, else the connection's. Only a valid IP
    address is returned (it is stored in a GenericIPAddressField and keys the address throttle); a
    forged or malformed X-Forwarded-For entry falls back to the connection's address, which still counts."""
    if request is None:
        return None
    hops = settings.PORTAIL_TRUSTED_PROXY_HOPS
    if hops:
        forwarded = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        if len(forwarded) >= hops:
            address = _valid_ip(forwarded[-hops])
            if address:
                return address
    return _valid_ip(request.META.get("REMOTE_ADDR") or "")


# A pure function of the text, asked up to three times a sign-in (the address throttle's count, its
# give-back, the audit entry) for the same address: remembered for the last addresses seen.
@lru_cache(maxsize=1024)
def _valid_ip(value: str):
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def record_audit(*, tenant, actor, action: str, target=None, request=None, details=None) -> AuditEntry:
    """Append one entry. Details are for context (which fields changed), never for secrets."""
    details = details or {}
    for key in details:
        if _FORBIDDEN_WORDS.intersection(re.split(r"[^a-z]+", key.lower())):
            raise ValueError(f"Audit details may not carry {key!r}.")
    actor_label = ""
    if actor is not None and getattr(actor, "is_authenticated", False):
        actor_label = str(actor.get_username())
    else:
        actor = None
    return AuditEntry.objects.create(
        tenant=tenant,
        actor=actor,
        actor_label=actor_label,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:200] if target is not None else "",
        ip_address=client_ip(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "")[:300] if request is not None else ""),
        details=details,
    )
