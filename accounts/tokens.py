"""Single-use, expiring tokens for mailed links (Django's signed token generator, one salt per purpose).

Each token hashes the state it changes, so using it once (or changing the password) voids it.
They expire after PASSWORD_RESET_TIMEOUT (one hour)."""

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode


class PasswordTokenGenerator(PasswordResetTokenGenerator):
    """Reset, activation and lost-identifier links: void once the password changes or the person
    signs in (Django's own hash: password, last sign-in, e-mail)."""

    key_salt = "accounts.tokens.password"

    def _make_hash_value(self, user, timestamp):
        return f"{super()._make_hash_value(user, timestamp)}|{user.tenant_id}"


class EmailTokenGenerator(PasswordResetTokenGenerator):
    """E-mail confirmation links: void once the address is confirmed or changed, or the password changes.
    A sign-in elsewhere does not void it (the person may open the mail on another device)."""

    key_salt = "accounts.tokens.email"

    def _make_hash_value(self, user, timestamp):
        return (
            f"{user.pk}|{user.tenant_id}|{user.password}|{timestamp}|"
            f"{user.email}|{user.email_verified}|{user.pending_email}"
        )


password_tokens = PasswordTokenGenerator()
email_tokens = EmailTokenGenerator()


def uid_for(user) -> str:
    return urlsafe_base64_encode(force_bytes(user.pk))


def user_from_uid(tenant, uidb64: str):
    """The account a link names, only on the link's own tenant."""
    from .models import User

    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (TypeError, ValueError, OverflowError, UnicodeDecodeError):
        return None
    return User.objects.for_tenant(tenant).filter(pk=pk, is_active=True).first()
