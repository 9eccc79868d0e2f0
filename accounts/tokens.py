"""Single-use, expiring tokens for mailed links (Django's signed token generator, one salt per purpose).

Each token hashes the state it changes, so using it once (or changing the password) voids it.
They expire after PASSWORD_RESET_TIMEOUT (one hour)."""

import hmac
from dataclasses import asdict, dataclass

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_decode, urlsafe_base64_encode

from .crypto import keyed_digest, keyed_digests


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


# What the session keeps of a link once its token left the address bar -----------------------------------


@dataclass(frozen=True)
class LinkTicket:
    """A link that was opened and found valid: the account, the token's timestamp and a keyed digest of
    the token, never the token itself. A copy of the session store gives no live link; the next step
    makes the token again from the account's state (which voids it once used) and checks the digest,
    so the ticket dies with the link, and checks the timestamp, so it expires with it."""

    user_id: int
    timestamp: int
    digest: str

    @classmethod
    def issue(cls, user, token: str) -> dict:
        timestamp = base36_to_int(token.split("-", 1)[0])
        return asdict(cls(user_id=user.pk, timestamp=timestamp, digest=_ticket_digest(token)))

    @classmethod
    def holds(cls, generator, user, data) -> bool:
        """Whether `data`, read from the session, is a ticket for a working link of `generator` to `user`."""
        try:
            ticket = cls(**data)
        except TypeError:
            return False
        if user is None or ticket.user_id != user.pk or not isinstance(ticket.timestamp, int):
            return False
        for secret in [generator.secret, *generator.secret_fallbacks]:
            token = generator._make_token_with_timestamp(user, ticket.timestamp, secret)
            # Every listed data key: a ticket issued just before a key rotation still holds.
            if any(hmac.compare_digest(d, str(ticket.digest)) for d in keyed_digests("link-ticket", token)):
                return generator.check_token(user, token)
        return False


def _ticket_digest(token: str) -> str:
    return keyed_digest("link-ticket", token)
