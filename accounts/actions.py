"""Writes on accounts."""

from portal.audit import record_audit
from portal.mail import send_templated_mail


def do_send_test_email(*, user, actor, request=None):
    """Send the account a harmless test mail, so the help desk can check that mail reaches it."""
    send_templated_mail(
        tenant=user.tenant,
        to=user.email,
        language=user.preferred_language,
        template="test_message",
        context={"user": user},
    )
    record_audit(tenant=user.tenant, actor=actor, action="mail.test_sent", target=user, request=request)
