"""Sign-in events into the audit log (Django's auth signals are the one hook that sees the admin's
sign-ins as well as the portal's), and the portal's language switch onto the account."""

from functools import lru_cache

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.dispatch import receiver
from django.utils import timezone

from portal.audit import client_ip, record_audit
from portal.models import AuditEntry
from portal.signals import language_chosen

from . import lockout
from .actions import do_change_language
from .middleware import start_session_clock
from .models import User
from .selectors import user_for_sign_in
from .sessions import hold_for_session, run_together


def audit_signed_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        start_session_clock(request)
    record_signed_in(user=user, request=request)


# Django's auth app saves `last_login` with a statement of its own, from a receiver it connects under
# this dispatch_uid; audit_signed_in writes it together with the audit entry (benchmarks/README.md,
# "Sign-in with less around the hash") and takes that uid, so Django's is not connected again
# should the auth app's ready() run again (a test that swaps the installed apps).
user_logged_in.disconnect(dispatch_uid="update_last_login")
user_logged_in.connect(audit_signed_in, dispatch_uid="update_last_login")


def record_signed_in(*, user, request=None) -> None:
    """The time of the sign-in on the account (`last_login`, which also voids the mailed reset links)
    and its audit entry, as portal.audit.record_audit writes it: one statement on PostgreSQL (an
    UPDATE in a WITH clause of the INSERT), two in one transaction elsewhere; and with them the
    DELETE of the sign-in's lock reservation when the guard held it (lockout.take_held_clears). Raw
    SQL, written once per process, on the hot path of every sign-in: the ORM's save() and create()
    cost more CPU than the statements themselves."""
    now = timezone.now()
    user.last_login = now
    # The connection itself, once: each attribute of the `connection` proxy, and each field's use of
    # it below, is a lookup in the connections' thread-local (benchmarks/README.md).
    db = connections[DEFAULT_DB_ALIAS]
    update, insert, last_login, fields = _signed_in_sql(db.vendor)
    update_params = [last_login.get_db_prep_save(now, db), user.pk]
    values = {
        "tenant": user.tenant_id,
        "actor": user.pk,
        "actor_label": str(user.get_username()),
        "action": "auth.signed_in",
        "target_type": user._meta.label_lower,
        "target_id": str(user.pk),
        "target_label": str(user)[:200],
        "ip_address": client_ip(request),
        "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300] if request is not None else "",
        "created_at": now,
        "details": {},
    }
    # Only the address, the time and the details need the field's preparation for the database; the
    # other values are the str and int (or None) the columns take as they are.
    insert_params = [
        field.get_db_prep_save(values[field.name], db) if field.name in _PREPARED else values[field.name]
        for field in fields
    ]
    # The clear of the sign-in's reservation, when the guard held it for this statement.
    cleared = lockout.take_held_clears()
    try:
        _write_signed_in(db, update, update_params, insert, insert_params, cleared)
    except Exception:
        lockout.clear_keys(cleared)  # the sign-in failed, the password was still right
        raise


def _write_signed_in(connection, update, update_params, insert, insert_params, cleared):
    if connection.vendor == "postgresql":
        statements = [(lockout.delete_sql(connection.vendor, len(cleared)), cleared)] if cleared else []
        statements += [(update, update_params), (insert, insert_params)]
        # On a request, they wait for the new session's INSERT and ride in it (accounts.sessions).
        if hold_for_session(connection, statements):
            return
        run_together(connection, statements)
        return
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        if cleared:
            cursor.execute(lockout.delete_sql(connection.vendor, len(cleared)), cleared)
        cursor.execute(update, update_params)
        cursor.execute(insert, insert_params)


_AUDIT_COLUMNS = (
    "tenant",
    "actor",
    "actor_label",
    "action",
    "target_type",
    "target_id",
    "target_label",
    "ip_address",
    "user_agent",
    "created_at",
    "details",
)

_PREPARED = frozenset({"ip_address", "created_at", "details"})


@lru_cache(maxsize=2)
def _signed_in_sql(vendor: str):
    """record_signed_in's UPDATE and INSERT, the last_login field and the audit entry's fields in the
    INSERT's order (per database vendor, as the quoting is)."""
    quote = connection.ops.quote_name
    last_login = User._meta.get_field("last_login")
    update = (
        f"UPDATE {quote(User._meta.db_table)} SET {quote(last_login.column)} = %s "  # noqa: S608 - names from the model
        f"WHERE {quote(User._meta.pk.column)} = %s"
    )
    fields = [AuditEntry._meta.get_field(name) for name in _AUDIT_COLUMNS]
    insert = (
        f"INSERT INTO {quote(AuditEntry._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    return update, insert, last_login, fields


@receiver(user_logged_out)
def audit_signed_out(sender, request, user, **kwargs):
    if user is not None:
        record_audit(tenant=user.tenant, actor=user, action="auth.signed_out", target=user, request=request)


@receiver(user_login_failed)
def audit_sign_in_failed(sender, credentials, request=None, **kwargs):
    """Recorded on the account when the identifier names one; what was typed is never kept (it may be
    a password typed in the wrong box)."""
    tenant = getattr(request, "tenant", None)
    identifier = str(credentials.get("identifier") or credentials.get("username") or "")
    account = user_for_sign_in(tenant=tenant, identifier=identifier) if identifier else None
    record_audit(tenant=tenant, actor=None, action="auth.sign_in_failed", target=account, request=request)


@receiver(language_chosen)
def remember_language(sender, request, user, language, **kwargs):
    """The language picked in the portal's switch is the account's, audited like the profile's choice."""
    do_change_language(user=user, language=language, request=request)
