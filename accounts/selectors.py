"""Reads on accounts that more than one place needs. Each takes the tenant explicitly and reads
through `for_tenant`."""

from collections.abc import Iterable
from functools import lru_cache

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Q, QuerySet

from portal.models import AuditEntry

from .identifiers import normalise_identifier
from .models import AccountSettings, IdentityRecord, Membership, User


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
    if tenant.account_settings.sign_in_with == AccountSettings.SignIn.IDENTIFIER_OR_EMAIL and "@" in value:
        # On a vault tenant the personal e-mail is a second identifier (docs/journeys.md#first-done).
        # Only one account may answer to it.
        # tenant-guard: the tenant is in the SQL
        matches = _sign_in_accounts("email", 2, tenant.pk, value)
        return matches[0] if len(matches) == 1 else None
    # The identifier is unique per tenant.
    # tenant-guard: the tenant is in the SQL
    found = _sign_in_accounts("identifier", 1, tenant.pk, value)
    return found[0] if found else None


def _sign_in_accounts(column: str, limit: int, tenant_id, value) -> list[User]:
    """The accounts of one tenant whose `column` is `value`, built from the rows as the ORM builds
    them (`Model.from_db`, the backend's converters), without a RawQuerySet: its per-query set-up
    (the columns' order, the converters) cost more CPU than the statement (benchmarks/README.md)."""
    sql, names, converters = _sign_in_sql(column, limit), *_sign_in_columns()
    db = connections[DEFAULT_DB_ALIAS]  # the connection itself: each use of the proxy is a lookup
    with db.cursor() as cursor:
        cursor.execute(sql, [tenant_id, value])
        rows = cursor.fetchall()
    accounts = []
    for row in rows:
        if converters:
            row = list(row)
            for index, functions, expression in converters:
                for convert in functions:
                    row[index] = convert(row[index], expression, db)
        accounts.append(User.from_db(db.alias, names, row))
    return accounts


@lru_cache(maxsize=1)
def _sign_in_columns():
    """The attribute names of _sign_in_sql's columns, and the converters of those that need one."""
    names, converters = [], []
    for index, field in enumerate(User._meta.concrete_fields):
        names.append(field.attname)
        column = field.get_col(User._meta.db_table)
        functions = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if functions:
            converters.append((index, functions, column))
    return names, converters


@lru_cache(maxsize=4)
def _sign_in_sql(column: str, limit: int) -> str:
    """The sign-in's one read of the account, written once: every sign-in runs it, and compiling it
    through the ORM costs the worker more CPU than running it (benchmarks/README.md, "Sign-in with
    less around the hash"). Always scoped to one tenant."""
    quote, meta = connection.ops.quote_name, User._meta
    columns = ", ".join(quote(field.column) for field in meta.concrete_fields)
    tenant, match = quote(meta.get_field("tenant").column), quote(meta.get_field(column).column)
    return (
        f"SELECT {columns} FROM {quote(meta.db_table)} "  # noqa: S608 - names from the model
        f"WHERE {tenant} = %s AND {match} = %s LIMIT {int(limit)}"
    )


def member_with_number(*, tenant, member_number: str, active_only: bool = False) -> User | None:
    """The account whose membership card carries this number on this tenant, or None. Spaces typed
    inside the number do not count."""
    number = "".join(member_number.split())
    if not number:
        return None
    members = User.objects.for_tenant(tenant).filter(
        pk__in=Membership.objects.for_tenant(tenant).filter(member_number=number).values("user_id")
    )
    return members.filter(is_active=True).first() if active_only else members.first()


def member_number_of(*, user) -> str:
    """The person's member number, or "" when they have none (not every tenant has members)."""
    if user.pk is None or user.tenant_id is None:
        return ""
    number = (
        Membership.objects.for_tenant(user.tenant_id)
        .filter(user_id=user.pk)
        .values_list("member_number", flat=True)
        .first()
    )
    return number or ""


def identity_record_of(*, tenant, user) -> IdentityRecord | None:
    """What the file says about the person for the lost-identifier form, or None."""
    if user is None:
        return None
    return IdentityRecord.objects.for_tenant(tenant).filter(user_id=user.pk).first()
