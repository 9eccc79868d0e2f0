"""Reads of the self-service module, each scoped to its tenant and with what its callers display."""

from dataclasses import dataclass

from django.db.models import Count
from django.http import Http404

from accounts.devices import AuthenticatorDevice
from accounts.forms import fold
from accounts.models import User
from portal.models import Tenant
from portal.modules import tenants_with

from . import vault
from .models import AccountLink, RecoveryIdentity, SecurityAnswer, SecurityQuestion, VaultEntry, sin_digests

# Security questions -------------------------------------------------------------------------------------


def offered_questions(*, tenant) -> list[SecurityQuestion]:
    """The tenant's catalogue as it is offered today (withdrawn questions left out)."""
    return list(SecurityQuestion.objects.for_tenant(tenant).filter(is_active=True))


def answers_of(*, user, purpose=SecurityAnswer.Purpose.SELF) -> list[SecurityAnswer]:
    """Every answer of one set of the account, withdrawn questions included (to manage them)."""
    if user is None:
        return []
    return list(
        SecurityAnswer.objects.for_tenant(user.tenant)
        .filter(user=user, purpose=purpose)
        .select_related("question")
    )


def active_answers(*, user) -> list[SecurityAnswer]:
    """The answers to questions still in the catalogue (the signed-in trial asks all of them)."""
    return [a for a in answers_of(user=user) if a.question.is_active]


def questions_asked(*, user) -> list[SecurityAnswer]:
    """The answers a proof asks for: the tenant's count, from questions still in the catalogue. An
    account with fewer of them than that has no questions to prove with (it is asked decoys, like an
    unknown identifier, and recovers by another proof), so a page never shows a withdrawn question
    or a count that decoys would not show."""
    if user is None:
        return []
    active = active_answers(user=user)
    count = user.tenant.selfservice_settings.security_question_count
    return active[:count] if len(active) >= count else []


@dataclass(frozen=True)
class ProofCounts:
    questions: int
    helpdesk_questions: int
    devices: int


def proof_counts(*, user) -> ProofCounts:
    """How many ways of proving who one is the account has set up (the menu, the help desk's summary)."""
    by_purpose = dict(
        SecurityAnswer.objects.for_tenant(user.tenant_id)
        .filter(user=user)
        .values("purpose")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("purpose", "n")
    )
    devices = AuthenticatorDevice.objects.for_tenant(user.tenant_id).filter(user=user, confirmed=True)
    return ProofCounts(
        questions=by_purpose.get(SecurityAnswer.Purpose.SELF, 0),
        helpdesk_questions=by_purpose.get(SecurityAnswer.Purpose.HELPDESK, 0),
        devices=devices.count(),
    )


# Recovery proofs -----------------------------------------------------------------------------------------


def identity_with_employee_number(*, tenant, number: str) -> RecoveryIdentity | None:
    return (
        RecoveryIdentity.objects.for_tenant(tenant)
        .filter(employee_number=number)
        .select_related("user")
        .first()
    )


def identity_matching(*, tenant, first_name, last_name, birth_date, sin_digits) -> RecoveryIdentity | None:
    """The one person these identity data name, or None (none, or more than one: never a guess)."""
    candidates = (
        RecoveryIdentity.objects.for_tenant(tenant)
        .filter(birth_date=birth_date, sin_digest__in=sin_digests(tenant.pk, sin_digits))
        .select_related("user")
    )
    matches = [
        c
        for c in candidates[:5]
        if fold(c.user.first_name) == fold(first_name) and fold(c.user.last_name) == fold(last_name)
    ]
    return matches[0] if len(matches) == 1 else None


def account_with_id(*, tenant, account_id) -> User | None:
    """The account a flow proved, on this tenant only."""
    if account_id is None:
        return None
    return User.objects.for_tenant(tenant).filter(pk=account_id).first()


# Linked accounts -----------------------------------------------------------------------------------------


def links_of(*, user):
    return AccountLink.objects.for_tenant(user.tenant).filter(user=user).select_related("other__tenant")


def linked_accounts(*, user) -> list[User]:
    return [link.other for link in links_of(user=user)]


def access_link(*, user, link_id) -> AccountLink:
    """One of the person's own links; the same 404 for one that does not exist and one of someone else."""
    link = links_of(user=user).filter(pk=link_id).first()
    if link is None:
        raise Http404
    return link


def tenants_to_link(*, user):
    """Other organisations whose people can link an account: those with the self-service on."""
    with_selfservice = [t.pk for t in tenants_with("selfservice")]
    return Tenant.objects.filter(pk__in=with_selfservice).exclude(pk=user.tenant_id)


# The personal vault --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VaultListItem:
    pk: int
    label: str | None  # None: the entry no longer opens
    changed_at: object


def vault_entries_of(*, user) -> list[VaultListItem]:
    """The person's entries for the list: each label opened, never a secret, sorted by label."""
    items = [
        VaultListItem(pk=entry.pk, label=vault.label_or_none(entry), changed_at=entry.changed_at)
        for entry in VaultEntry.objects.for_tenant(user.tenant)
        .filter(user=user)
        .only("pk", "tenant_id", "user_id", "sealed_label", "changed_at")
    ]
    return sorted(items, key=lambda item: (item.label is None, fold(item.label or ""), item.pk))


def access_vault_entry(*, user, entry_id) -> VaultEntry:
    """One of the person's own entries; the same 404 for one that does not exist, another person's and
    another tenant's."""
    entry = (
        VaultEntry.objects.for_tenant(user.tenant)
        .filter(user=user, pk=entry_id)
        .select_related("user")
        .first()
    )
    if entry is None:
        raise Http404
    return entry
