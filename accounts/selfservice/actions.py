"""Writes of the self-service module; the mobile device's are the core's (accounts.actions). Each
opens its own transaction and records an audit entry on the account; each change to a way of proving
who one is also mails a notice to the address on file (sent once the transaction commits), with the
help desk's contact."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import actions as account_actions
from accounts import lockout
from accounts.actions import mail_user
from portal.audit import record_audit

from . import vault
from .models import AccountLink, SecurityAnswer, VaultEntry
from .vault import VaultContent

# What the notice mail says changed (translated in the mail's language).
CHANGES = {
    "questions": _("Your security questions were updated."),
    "helpdesk_questions": _("Your help-desk questions were updated."),
    "questions_disabled": _(
        "The help desk disabled your security questions, at your request. "
        "Choose new ones after your next sign-in."
    ),
    "linked": _("Your account was linked to your account with %(other)s."),
    "unlocked": _("Your account was unlocked after an identity check."),
}


def _audit(user, action, *, actor, request, details=None):
    """An entry on the account itself, in its own tenant's log."""
    record_audit(
        tenant=user.tenant, actor=actor, action=action, target=user, request=request, details=details
    )


def _notice(user, change, **params):
    account_actions.mail_security_notice(user, CHANGES[change], **params)


@transaction.atomic(savepoint=False)
def do_record_sign_in(*, user, method: str, request=None) -> None:
    """Which proof let the person in, for the help desk's audit log (the person's own history of
    changes leaves sign-ins out)."""
    _audit(user, "selfservice.signed_in", actor=user, request=request, details={"method": method})


@transaction.atomic(savepoint=False)
def do_save_answers(*, user, purpose: str, rows: list[dict], existing, request=None) -> None:
    """Replace the person's answers of one set with the rows of the form (an empty answer on a kept
    question keeps the old hash)."""
    old = {a.question_id: a for a in existing}
    keep, new = set(), []
    for row in rows:
        question = row.get("question")
        if not question or row.get("remove"):
            continue
        answer = row.get("answer") or ""
        if not answer.strip() and question.pk in old:
            keep.add(question.pk)
            continue
        item = SecurityAnswer(tenant=user.tenant, user=user, question=question, purpose=purpose)
        item.set_answer(answer)
        new.append(item)
    SecurityAnswer.objects.for_tenant(user.tenant).filter(user=user, purpose=purpose).exclude(
        question_id__in=keep
    ).delete()
    SecurityAnswer.objects.bulk_create(new)  # tenant-guard: every row was built with user.tenant
    helpdesk = purpose == SecurityAnswer.Purpose.HELPDESK
    _audit(
        user,
        "selfservice.helpdesk_questions_changed" if helpdesk else "selfservice.questions_changed",
        actor=user,
        request=request,
        details={"count": len(keep) + len(new)},
    )
    _notice(user, "helpdesk_questions" if helpdesk else "questions")


@transaction.atomic(savepoint=False)
def do_disable_questions(*, user, actor, request=None) -> int:
    """The person forgot the answers: the help desk disables them, the person recovers by another proof
    and chooses new ones (docs/journeys.md#helpdesk-disable-questions)."""
    deleted = (
        SecurityAnswer.objects.for_tenant(user.tenant)
        .filter(user=user, purpose=SecurityAnswer.Purpose.SELF)
        .delete()[0]
    )
    _audit(user, "selfservice.questions_disabled", actor=actor, request=request)
    _notice(user, "questions_disabled")
    return deleted


@transaction.atomic(savepoint=False)
def do_mail_recovery_code(*, user, code: str, request=None) -> None:
    mail_user(user, "recovery_code", code=code)
    _audit(user, "selfservice.recovery_code_sent", actor=None, request=request)


@transaction.atomic(savepoint=False)
def do_recover_password(*, user, raw_password: str, method: str, request=None) -> None:
    """A new password after an identity check: lock lifted, other sessions ended, notice mailed
    (accounts.actions.do_set_password does all three)."""
    account_actions.do_set_password(user=user, raw_password=raw_password, request=request)
    _audit(user, "selfservice.password_recovered", actor=user, request=request, details={"method": method})


@transaction.atomic(savepoint=False)
def do_send_identifier(*, user, method: str, request=None) -> None:
    mail_user(user, "identifier_reminder")
    _audit(user, "selfservice.identifier_recovered", actor=None, request=request, details={"method": method})


@transaction.atomic(savepoint=False)
def do_self_unlock(*, user, method: str, request=None, actor=None) -> None:
    lockout.unlock_account(user)
    _audit(user, "selfservice.unlocked", actor=actor or user, request=request, details={"method": method})
    _notice(user, "unlocked")


@transaction.atomic(savepoint=False)
def do_link_accounts(*, user, other, request=None) -> None:
    AccountLink.objects.get_or_create(tenant=user.tenant, user=user, other=other)
    AccountLink.objects.get_or_create(tenant=other.tenant, user=other, other=user)
    for account, partner in ((user, other), (other, user)):
        # Each tenant's log names its own account only: another tenant's identifier never shows there.
        _audit(account, "selfservice.account_linked", actor=account, request=request)
        _notice(account, "linked", other=partner.tenant.name)


@transaction.atomic(savepoint=False)
def do_unlink_accounts(*, link, request=None) -> None:
    user, other = link.user, link.other
    AccountLink.objects.filter(user=other, other=user).delete()  # tenant-guard: both rows of one pair
    link.delete()
    for account in (user, other):
        _audit(account, "selfservice.account_unlinked", actor=account, request=request)


@transaction.atomic(savepoint=False)
def do_check_helpdesk_answers(*, user, actor, answers, given: dict, request=None) -> dict:
    """The agent types what the caller says about `answers` (the person's help-desk answers); the result
    is right or wrong per question, nothing more."""
    results = {a.question_id: a.check_answer(given.get(a.question_id, "")) for a in answers}
    verified = bool(results) and all(results.values())
    _audit(
        user,
        "selfservice.caller_verified" if verified else "selfservice.caller_check_failed",
        actor=actor,
        request=request,
        details={"right": sum(results.values()), "asked": len(results)},
    )
    return results


@transaction.atomic(savepoint=False)
def do_change_passwords(*, user, raw_password: str, linked=(), request=None) -> None:
    """The person's new password, and the same for the linked accounts chosen (each its own owner's
    change, audited and noticed on its own tenant)."""
    account_actions.do_set_password(user=user, raw_password=raw_password, request=request)
    for other in linked:
        account_actions.do_set_password(user=other, raw_password=raw_password, request=request, actor=other)


# The personal vault --------------------------------------------------------------------------------------
# Each write is audited on the person, so it shows in their history; no entry's words ever reach the
# audit log (the help desk reads it), only that an entry was added, changed, removed or opened.


@transaction.atomic(savepoint=False)
def do_add_vault_entry(*, user, label: str, content: VaultContent, request=None) -> VaultEntry:
    """A new entry in the person's vault, sealed before it is written."""
    entry = VaultEntry(tenant=user.tenant, user=user)
    vault.seal_entry(entry, label=label, content=content)
    entry.save()
    _audit(user, "selfservice.vault_entry_added", actor=user, request=request, details={"entry": entry.pk})
    return entry


@transaction.atomic(savepoint=False)
def do_change_vault_entry(*, entry, label: str, content: VaultContent, request=None) -> None:
    vault.seal_entry(entry, label=label, content=content)
    entry.changed_at = timezone.now()
    entry.save(update_fields=["sealed_label", "sealed_content", "changed_at"])
    _audit(
        entry.user,
        "selfservice.vault_entry_changed",
        actor=entry.user,
        request=request,
        details={"entry": entry.pk},
    )


@transaction.atomic(savepoint=False)
def do_remove_vault_entry(*, entry, request=None) -> None:
    pk = entry.pk
    entry.delete()
    _audit(
        entry.user,
        "selfservice.vault_entry_removed",
        actor=entry.user,
        request=request,
        details={"entry": pk},
    )


def do_reveal_vault_entry(*, entry, request=None) -> VaultContent:
    """The entry opened for its owner, who has just typed the password again; the opening is recorded
    in their history, never what it showed. An entry that no longer opens (VaultSealBroken) records
    nothing: it is opened before the transaction."""
    content = vault.content_of(entry)
    with transaction.atomic(savepoint=False):
        _audit(
            entry.user,
            "selfservice.vault_entry_revealed",
            actor=entry.user,
            request=request,
            details={"entry": entry.pk},
        )
    return content
