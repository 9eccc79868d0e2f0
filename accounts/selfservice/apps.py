from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SelfServiceConfig(AppConfig):
    """Password self-service, built on the accounts core: security questions, the recovery proofs,
    unlock and linked accounts. The core never imports it; what the core offers for extension (sign-in
    stages, the help desk's user admin) it fills from here."""

    name = "accounts.selfservice"
    label = "selfservice"
    verbose_name = _("Password self-service")

    def ready(self):
        from . import actions, signals  # noqa: F401  (audit labels, signal receivers)
