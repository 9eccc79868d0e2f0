"""Sign-in events into the audit log. Django's auth signals are the one hook that sees the admin's
sign-ins as well as the portal's."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from portal.audit import record_audit


@receiver(user_logged_in)
def audit_signed_in(sender, request, user, **kwargs):
    record_audit(tenant=user.tenant, actor=user, action="auth.signed_in", target=user, request=request)


@receiver(user_logged_out)
def audit_signed_out(sender, request, user, **kwargs):
    if user is not None:
        record_audit(tenant=user.tenant, actor=user, action="auth.signed_out", target=user, request=request)


@receiver(user_login_failed)
def audit_sign_in_failed(sender, credentials, request=None, **kwargs):
    tenant = getattr(request, "tenant", None)
    record_audit(
        tenant=tenant,
        actor=None,
        action="auth.sign_in_failed",
        request=request,
        details={"identifier": str(credentials.get("identifier") or credentials.get("username") or "")[:150]},
    )
