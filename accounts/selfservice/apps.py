from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from portal.modules import Module, NavEntry


class SelfServiceConfig(AppConfig):
    """Password self-service, built on the accounts core: security questions, the recovery proofs,
    unlock and linked accounts. The core never imports it; what the core offers for extension (sign-in
    stages, the help desk's user admin) it fills from here."""

    name = "accounts.selfservice"
    label = "selfservice"
    verbose_name = _("Password self-service")

    # The device actions and the refused proofs are the core's (accounts.devices, accounts.guard):
    # their labels are in AccountsConfig, so they read the same where this module is off.
    portail_module = Module(
        key="selfservice",
        name=_("Password and identity"),
        description=_("Change or recover your password and the ways you prove who you are."),
        urls="accounts.selfservice.urls",
        namespace="selfservice",
        url_prefix="self-service/",
        entry_url="selfservice:menu",
        navigation=(NavEntry(_("Password self-service"), "selfservice:menu"),),
        settings_model="selfservice.SelfServiceSettings",
        demo_data="accounts.selfservice.demo.seed_demo",
        audit_actions={
            "selfservice.signed_in": _("Signed in to the self-service"),
            "selfservice.questions_changed": _("Security questions updated"),
            "selfservice.helpdesk_questions_changed": _("Help-desk questions updated"),
            "selfservice.questions_disabled": _("Security questions disabled by the help desk"),
            "selfservice.recovery_code_sent": _("Recovery code mailed"),
            "selfservice.password_recovered": _("Password chosen after an identity check"),
            "selfservice.identifier_recovered": _("Identifier shown after an identity check"),
            "selfservice.unlocked": _("Account unlocked after an identity check"),
            "selfservice.account_linked": _("Account linked"),
            "selfservice.account_unlinked": _("Account link removed"),
            "selfservice.caller_verified": _("Caller checked with the help-desk questions"),
            "selfservice.caller_check_failed": _("Caller check failed: a help-desk answer was wrong"),
            "selfservice.vault_entry_added": _("Entry added to the personal vault"),
            "selfservice.vault_entry_changed": _("Personal vault entry changed"),
            "selfservice.vault_entry_removed": _("Personal vault entry removed"),
            "selfservice.vault_entry_revealed": _("Personal vault entry opened"),
        },
    )

    def ready(self):
        from . import signals  # noqa: F401  (signal receivers)
