from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from portal.modules import Module, NavEntry


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    # The core: always on, so no tenant chooses it and it has no home card.
    portail_module = Module(
        key="accounts",
        name=_("Accounts"),
        urls="accounts.urls",
        namespace="accounts",
        navigation=(NavEntry(_("My profile"), "accounts:profile"),),
        settings_model="accounts.AccountSettings",
        demo_data="accounts.demo.seed",
        audit_actions={
            "account.password_changed": _("Password changed"),
            "account.password_reset": _("Password reset by e-mail link"),
            "account.password_link_sent": _("Password link sent"),
            "account.locked": _("Account locked after failed attempts"),
            "account.unlocked": _("Account unlocked"),
            "account.must_change_password": _("New password required at next sign-in"),
            "account.email_change_requested": _("E-mail change requested"),
            "account.email_verification_sent": _("E-mail verification sent"),
            "account.email_verified": _("E-mail verified"),
            "account.email_changed": _("E-mail changed"),
            "account.language_changed": _("Language changed"),
            "account.enrolled": _("First sign-in completed"),
            "account.identifier_sent": _("Identifier sent after identity check"),
            "account.email_registration_requested": _("E-mail registration requested"),
            "account.email_registration_approved": _("E-mail registration approved"),
            "account.email_registration_refused": _("E-mail registration refused"),
            # The device step and devices moved into the core from self-service; their keys kept the
            # names they were first recorded under, so every account's history still reads the same.
            "selfservice.device_added": _("Mobile device added"),
            "selfservice.device_removed": _("Mobile device removed"),
            "account.device_renamed": _("Mobile device renamed"),
            "selfservice.backup_codes_renewed": _("Backup codes renewed"),
            "selfservice.proof_failed": _(
                "Identity proof refused (wrong password, answer, code, PIN or data)"
            ),
        },
        optional=False,
    )

    def ready(self):
        # Signal receivers: the audit of sign-ins, and the drop of an account's cached state on save.
        from . import signals, user_state  # noqa: F401
