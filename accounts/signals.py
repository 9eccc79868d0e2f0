"""Sign-in events into the audit log (Django's auth signals are the one hook that sees the admin's
sign-ins as well as the portal's), and the portal's language switch onto the account."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from portal.audit import record_audit
from portal.signals import language_chosen

from .actions import do_change_language
from .middleware import start_session_clock
from .selectors import user_for_sign_in


@receiver(user_logged_in)
def audit_signed_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        start_session_clock(request)
    record_audit(tenant=user.tenant, actor=user, action="auth.signed_in", target=user, request=request)


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
