"""The last few passwords of an account may not be chosen again (the tenant sets how many)."""

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import PasswordHistory

DEFAULT_COUNT = 5


def history_count(user) -> int:
    tenant = getattr(user, "tenant", None)
    return tenant.account_settings.password_history_count if tenant is not None else DEFAULT_COUNT


def remember_password(user) -> None:
    """Before a password is replaced: keep its hash, and forget those beyond the tenant's count."""
    if not user.has_usable_password():
        return
    PasswordHistory.objects.create(tenant=user.tenant, user=user, password=user.password)
    keep = max(history_count(user), 1)
    stale = list(user.password_history.order_by("-created_at", "-id").values_list("pk", flat=True)[keep:])
    if stale:
        PasswordHistory.objects.filter(tenant=user.tenant, pk__in=stale).delete()


class PasswordHistoryValidator:
    def validate(self, password, user=None):
        if user is None or user.pk is None:
            return
        count = history_count(user)
        if not count:
            return
        hashes = [user.password] if user.has_usable_password() else []
        hashes += user.password_history.order_by("-created_at", "-id").values_list("password", flat=True)[
            :count
        ]
        if any(check_password(password, encoded) for encoded in hashes[:count]):
            raise ValidationError(
                ngettext(
                    "This is your current password; choose a new one.",
                    "This is one of your last %(count)d passwords; choose a new one.",
                    count,
                )
                % {"count": count},
                code="password_reused",
            )

    def get_help_text(self):
        return _("Not one of your last passwords.")
