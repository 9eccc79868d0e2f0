from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from portal.modules import Module, NavEntry


class SelfServiceConfig(AppConfig):
    name = "accounts.selfservice"
    label = "selfservice"
    verbose_name = _("Password self-service")

    portail_module = Module(
        key="selfservice",
        name=_("Password and identity"),
        description=_("Change or recover your password and the ways you prove who you are."),
        urls="accounts.selfservice.urls",
        namespace="selfservice",
        url_prefix="self-service/",
        entry_url="selfservice:menu",
        navigation=(NavEntry(_("Password self-service"), "selfservice:menu"),),
        settings_model="accounts.SelfServiceSettings",
        demo_data="accounts.selfservice.demo.seed_demo",
        audit_actions={
            "selfservice.signed_in": _("Signed in to the self-service"),
            "selfservice.questions_changed": _("Security questions updated"),
            "selfservice.helpdesk_questions_changed": _("Help-desk questions updated"),
            "selfservice.questions_disabled": _("Security questions disabled by the help desk"),
            "selfservice.device_added": _("Mobile device added"),
            "selfservice.device_removed": _("Mobile device removed"),
            "selfservice.backup_codes_renewed": _("Backup codes renewed"),
            "selfservice.recovery_code_sent": _("Recovery code mailed"),
            "selfservice.password_recovered": _("Password chosen after an identity check"),
            "selfservice.identifier_recovered": _("Identifier shown after an identity check"),
            "selfservice.unlocked": _("Account unlocked after an identity check"),
            "selfservice.account_linked": _("Account linked"),
            "selfservice.account_unlinked": _("Account link removed"),
            "selfservice.proof_failed": _(
                "Identity proof refused (wrong password, answer, code, PIN or data)"
            ),
            "selfservice.caller_verified": _("Caller checked with the help-desk questions"),
        },
    )
