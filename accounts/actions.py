"""Writes on accounts. Each `do_*` action opens its own transaction (joining the caller's when there
is one, as Zulip's actions do), records its audit entry and, where it touches credentials, mails a
notice to the account's address once the transaction commits. Views, forms and admin actions call
them and write nothing themselves."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from portal.audit import record_audit
from portal.mail import send_templated_mail
from portal.tenancy import tenant_url

from . import lockout
from .devices import AuthenticatorDevice, BackupCodeDevice
from .models import EmailRegistration, IdentityRecord, Membership, User
from .password_history import remember_password
from .tokens import email_tokens, password_tokens, uid_for


def mail_user(user, template, *, to=None, **context):
    """A mail to the person, in their language, sent when the transaction commits (none without an
    address). Modules built on accounts mail people through this."""
    address = to or user.email
    if not address:
        return None
    return send_templated_mail(
        tenant=user.tenant,
        to=address,
        language=user.preferred_language,
        template=template,
        context={"user": user, **context},
    )


def password_link(user) -> str:
    return tenant_url(
        user.tenant,
        "accounts:password_reset_confirm",
        kwargs={"uidb64": uid_for(user), "token": password_tokens.make_token(user)},
    )


def email_link(user) -> str:
    return tenant_url(
        user.tenant,
        "accounts:confirm_email",
        kwargs={"uidb64": uid_for(user), "token": email_tokens.make_token(user)},
    )


@transaction.atomic(savepoint=False)
def do_send_test_email(*, user, actor, request=None):
    """Send the account a harmless test mail, so the help desk can check that mail reaches it."""
    mail_user(user, "test_message")
    record_audit(tenant=user.tenant, actor=actor, action="mail.test_sent", target=user, request=request)


@transaction.atomic(savepoint=False)
def do_send_password_link(*, user, request=None, actor=None, reason="reset"):
    """Mail a single-use link to choose a password. `reason`: reset, activation, lost_identifier."""
    template = {"activation": "account_activation", "lost_identifier": "lost_identifier"}.get(
        reason, "password_reset"
    )
    mail_user(user, template, link=password_link(user))
    action = "account.identifier_sent" if reason == "lost_identifier" else "account.password_link_sent"
    record_audit(
        tenant=user.tenant,
        actor=actor,
        action=action,
        target=user,
        request=request,
        details={"reason": reason},
    )


@transaction.atomic(savepoint=False)
def do_set_password(*, user, raw_password, request=None, actor=None, by_link=False):
    """The account's new password: history, unlock, other sessions end (Django's session hash), notice."""
    remember_password(user)
    user.set_password(raw_password)
    user.must_change_password = False
    user.password_changed_at = timezone.now()
    fields = ["password", "must_change_password", "password_changed_at"]
    if by_link and not user.email_verified and not user.pending_email:
        # Following a link mailed to the address proves the address works.
        user.email_verified = True
        fields.append("email_verified")
    user.save(update_fields=fields)
    if lockout.unlock_account(user):
        record_audit(tenant=user.tenant, actor=actor, action="account.unlocked", target=user, request=request)
    action = "account.password_reset" if by_link else "account.password_changed"
    record_audit(tenant=user.tenant, actor=actor or user, action=action, target=user, request=request)
    mail_user(user, "password_changed")


@transaction.atomic(savepoint=False)
def do_unlock(*, user, actor, request=None) -> bool:
    was_locked = lockout.unlock_account(user)
    if was_locked:
        record_audit(tenant=user.tenant, actor=actor, action="account.unlocked", target=user, request=request)
    return was_locked


@transaction.atomic(savepoint=False)
def do_require_password_change(*, user, actor, request=None):
    user.must_change_password = True
    user.save(update_fields=["must_change_password"])
    record_audit(
        tenant=user.tenant, actor=actor, action="account.must_change_password", target=user, request=request
    )


@transaction.atomic(savepoint=False)
def do_send_email_verification(*, user, request=None, actor=None):
    """Mail a confirmation link to the address awaiting confirmation (or the current one)."""
    to = user.pending_email or user.email
    mail_user(user, "verify_email", to=to, link=email_link(user))
    record_audit(
        tenant=user.tenant,
        actor=actor or user,
        action="account.email_verification_sent",
        target=user,
        request=request,
    )


@transaction.atomic(savepoint=False)
def do_request_email_change(*, user, new_email, request=None, actor=None):
    """The new address is used once confirmed by a link mailed to it; the old one gets a notice now.
    `actor`: the help-desk agent who typed it, when it is not the person."""
    user.pending_email = new_email
    user.pending_email_from_desk = actor is not None and actor.pk != user.pk
    user.save(update_fields=["pending_email", "pending_email_from_desk"])
    record_audit(
        tenant=user.tenant,
        actor=actor or user,
        action="account.email_change_requested",
        target=user,
        request=request,
    )
    do_send_email_verification(user=user, request=request, actor=actor)
    mail_user(user, "email_change_notice", new_email=new_email, by_desk=user.pending_email_from_desk)


@transaction.atomic(savepoint=False)
def do_confirm_email(*, user, request=None):
    """Follows a confirmation link: confirms the address, or switches to the new one."""
    old = user.email
    if user.pending_email:
        user.email, user.pending_email = user.pending_email, ""
    user.email_verified, user.pending_email_from_desk = True, False
    fields = ["email", "pending_email", "email_verified", "pending_email_from_desk"]
    if user.enrolment_pending and user.has_usable_password():
        user.enrolment_pending = False
        fields.append("enrolment_pending")
        record_audit(tenant=user.tenant, actor=user, action="account.enrolled", target=user, request=request)
    user.save(update_fields=fields)
    if old and old != user.email:
        record_audit(
            tenant=user.tenant, actor=user, action="account.email_changed", target=user, request=request
        )
        mail_user(user, "email_changed", to=old, new_email=user.email)
    else:
        record_audit(
            tenant=user.tenant, actor=user, action="account.email_verified", target=user, request=request
        )


@transaction.atomic(savepoint=False)
def do_enrol(*, user, email, raw_password, request=None):
    """Vault first sign-in: a personal e-mail (confirmed by link before going further) and a password."""
    user.pending_email = email if email != user.email or not user.email_verified else ""
    user.save(update_fields=["pending_email"])
    do_set_password(user=user, raw_password=raw_password, request=request)
    if user.pending_email:
        do_send_email_verification(user=user, request=request)
    else:
        user.enrolment_pending = False
        user.save(update_fields=["enrolment_pending"])
        record_audit(tenant=user.tenant, actor=user, action="account.enrolled", target=user, request=request)


@transaction.atomic(savepoint=False)
def do_change_language(*, user, language, request=None):
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    record_audit(
        tenant=user.tenant,
        actor=user,
        action="account.language_changed",
        target=user,
        request=request,
        details={"language": language},
    )


@transaction.atomic(savepoint=False)
def do_decide_email_registration(*, registration, approve: bool, actor, request=None):
    """The help desk approves (the address goes on the account, and a link goes to it) or refuses."""
    registration.status = registration.Status.APPROVED if approve else registration.Status.REFUSED
    registration.decided_at = timezone.now()
    registration.decided_by = actor
    registration.save(update_fields=["status", "decided_at", "decided_by"])
    user = registration.user
    action = "account.email_registration_approved" if approve else "account.email_registration_refused"
    record_audit(tenant=registration.tenant, actor=actor, action=action, target=user, request=request)
    if not approve or user is None:
        return
    user.email, user.email_verified, user.pending_email = registration.email, False, ""
    fields = ["email", "email_verified", "pending_email"]
    tenant = registration.tenant
    identifier_free = not type(user).objects.for_tenant(tenant).filter(identifier=registration.email).exists()
    policy = tenant.account_settings
    if policy.sign_in_with == policy.SignIn.EMAIL and identifier_free:
        user.identifier = registration.email  # on an e-mail tenant, the address is what one signs in with
        fields.append("identifier")
    user.save(update_fields=fields)
    if user.has_usable_password():
        do_send_email_verification(user=user, request=request, actor=actor)
    else:
        do_send_password_link(user=user, request=request, actor=actor, reason="activation")


def record_lock(*, user, request=None):
    """A lock just started on this account: in its history, and a notice to its owner."""
    record_audit(tenant=user.tenant, actor=None, action="account.locked", target=user, request=request)
    minutes = user.tenant.account_settings.lockout_minutes if user.tenant else 0
    mail_user(user, "account_locked", minutes=minutes)


@transaction.atomic(savepoint=False)
def do_request_email_registration(
    *,
    tenant,
    member: User | None,
    member_number: str,
    first_name: str,
    last_name: str,
    email: str,
    request=None,
) -> EmailRegistration | None:
    """A member without an address on file asks the help desk to add one. `member` is the account
    whose member number and last name match, if any; the help desk decides either way.

    None when the request is not filed: one is already waiting for this member number or from this
    address, or the address filed REGISTRATIONS_PER_DAY requests in a day. The page answers the
    same either way, so it tells nobody whether a member number exists."""
    if not registration_accepted(tenant=tenant, member_number=member_number, email=email.lower()):
        return None
    registration = EmailRegistration.objects.create(
        tenant=tenant,
        user=member,
        member_number=member_number,
        first_name=first_name,
        last_name=last_name,
        email=email.lower(),
    )
    record_audit(
        tenant=tenant,
        actor=None,
        action="account.email_registration_requested",
        target=member,
        request=request,
    )
    return registration


@transaction.atomic(savepoint=False)
def do_set_person_parts(
    *, user: User, member_number: str, birth_town: str, birth_month: int | None, mobile_phone: str
) -> None:
    """The help desk's values for the parts of a person kept in their own models. A blank member
    number ends the membership; the identity record stays while it holds anything (the private
    number, which no desk sets, included). The admin audits the change with the person's fields."""
    tenant = user.tenant
    if member_number:
        Membership.objects.for_tenant(tenant).update_or_create(
            user=user, defaults={"tenant": tenant, "member_number": member_number}
        )
    else:
        Membership.objects.for_tenant(tenant).filter(user=user).delete()
    identity = {"birth_town": birth_town, "birth_month": birth_month, "mobile_phone": mobile_phone}
    record = IdentityRecord.objects.for_tenant(tenant).filter(user=user).first()
    if record is None and not any(identity.values()):
        return
    record = record or IdentityRecord(tenant=tenant, user=user)
    for name, value in identity.items():
        setattr(record, name, value)
    if any(identity.values()) or record.private_number:
        record.save()
    elif record.pk is not None:
        record.delete()


@transaction.atomic(savepoint=False)
def do_answer_lost_identifier(*, user: User, mail_link: bool, request=None) -> None:
    """The lost-identifier form proved who the person is: their next sign-in asks for a new password,
    and the identifier with a link to choose it goes to the address on file (unless one just went)."""
    user.must_change_password = True
    user.save(update_fields=["must_change_password"])
    if mail_link:
        do_send_password_link(user=user, request=request, reason="lost_identifier")


@transaction.atomic(savepoint=False)
def do_change_pending_email(*, user: User, email: str, request=None) -> None:
    """At first sign-in, the person corrects the personal address awaiting confirmation; the link
    goes to the new one."""
    user.pending_email = email
    user.save(update_fields=["pending_email"])
    do_send_email_verification(user=user, request=request)


def mail_security_notice(user, message, **params):
    """The notice that a way of proving who one is changed, with the help desk's contact. `message`
    is lazy: it is translated when the mail is rendered, in the recipient's language."""
    text = lazy(lambda: str(message) % params if params else str(message), str)()
    mail_user(user, "security_notice", change=text)


# Mobile devices -------------------------------------------------------------------------------------
# The action keys keep the names they were first recorded under ("selfservice.device_added"...), so
# every account's history still reads the same; their labels are declared in AccountsConfig.

DEVICE_ADDED = _("A mobile device was added to your account: %(name)s.")
DEVICE_REMOVED = _("A mobile device was removed from your account: %(name)s.")
BACKUP_CODES_RENEWED = _("New backup codes were made for your account; the previous ones no longer work.")


def _audit_own(user, action, *, actor, request, details=None):
    record_audit(
        tenant=user.tenant, actor=actor, action=action, target=user, request=request, details=details
    )


@transaction.atomic(savepoint=False)
def do_start_device(*, user: User, name: str) -> AuthenticatorDevice:
    """A new device waiting for its first code; an earlier unconfirmed one goes. Nothing is audited
    or mailed until the first right code confirms it (do_confirm_device)."""
    AuthenticatorDevice.objects.for_tenant(user.tenant).filter(user=user, confirmed=False).delete()
    device = AuthenticatorDevice.start(user, name)
    device.save()
    return device


@transaction.atomic(savepoint=False)
def do_rename_device(*, device: AuthenticatorDevice, name: str, request=None) -> None:
    """The owner renames a device. Audited, so the history shows which name a device had when it was
    added or removed; no mail, since no way of proving who one is changed."""
    old_name = device.name
    device.name = name
    device.save(update_fields=["name"])
    _audit_own(
        device.user,
        "account.device_renamed",
        actor=device.user,
        request=request,
        details={"device": name, "previous_name": old_name},
    )


@transaction.atomic(savepoint=False)
def do_confirm_device(*, device, request=None) -> list[str]:
    """The first right code confirms the device. Backup codes come with the first device."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    user = device.user
    _audit_own(user, "selfservice.device_added", actor=user, request=request, details={"device": device.name})
    mail_security_notice(user, DEVICE_ADDED, name=device.name)
    backup = BackupCodeDevice.objects.for_tenant(user.tenant).filter(user=user).first()
    if backup is None or not backup.codes.exists():
        return _new_codes(user)
    return []


def _new_codes(user):
    backup, _created = BackupCodeDevice.objects.get_or_create(
        user=user, tenant=user.tenant, defaults={"name": "backup", "confirmed": True}
    )
    return backup.replace_codes()


@transaction.atomic(savepoint=False)
def do_renew_backup_codes(*, user, request=None) -> list[str]:
    codes = _new_codes(user)
    _audit_own(user, "selfservice.backup_codes_renewed", actor=user, request=request)
    mail_security_notice(user, BACKUP_CODES_RENEWED)
    return codes


@transaction.atomic(savepoint=False)
def do_remove_device(*, device, actor, request=None):
    user = device.user
    name = device.name
    device.delete()
    if not AuthenticatorDevice.objects.for_tenant(user.tenant).filter(user=user, confirmed=True).exists():
        # No app left: the backup codes go too, so a forgotten sheet of paper is not a way in.
        BackupCodeDevice.objects.for_tenant(user.tenant).filter(user=user).delete()
    _audit_own(user, "selfservice.device_removed", actor=actor, request=request, details={"device": name})
    mail_security_notice(user, DEVICE_REMOVED, name=name)


# Help desk -------------------------------------------------------------------------------------------

REGISTRATIONS_PER_DAY = 3  # from one address, whatever the member numbers


def registration_accepted(*, tenant, member_number: str, email: str) -> bool:
    """Whether a new e-mail registration request is filed (see do_request_email_registration): the
    help desk reads each one, so repeats from one address or for one member add nothing but work."""
    requests = EmailRegistration.objects.for_tenant(tenant)
    pending = requests.filter(status=EmailRegistration.Status.PENDING)
    if pending.filter(member_number=member_number).exists() or pending.filter(email=email).exists():
        return False
    since = timezone.now() - timedelta(days=1)
    return requests.filter(email=email, created_at__gte=since).count() < REGISTRATIONS_PER_DAY


@transaction.atomic(savepoint=False)
def do_unlock_many(*, tenant, users, actor, request=None) -> int:
    """do_unlock() of many people of one tenant in a constant number of queries (one read of the
    locks, one delete, one insert of the audit entries), however many are selected. Returns how many
    were locked."""
    from portal.audit import client_ip
    from portal.models import AuditEntry

    keys = {lockout.lock_key(tenant, user=user): user for user in users}
    states = lockout.current_states(keys)
    locked = [user for key, user in keys.items() if states[key].locked]
    lockout.clear_keys(keys)
    ip_address = client_ip(request)
    agent = request.META.get("HTTP_USER_AGENT", "")[:300] if request is not None else ""
    # tenant-guard: every row is built with tenant=tenant
    AuditEntry.objects.bulk_create(
        AuditEntry(
            tenant=tenant,
            actor=actor,
            actor_label=str(actor.get_username()),
            action="account.unlocked",
            target_type=user._meta.label_lower,
            target_id=str(user.pk),
            target_label=str(user)[:200],
            ip_address=ip_address,
            user_agent=agent,
        )
        for user in locked
    )
    return len(locked)
