from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from portal.modules import Module, NavEntry


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = _("Secure conversations")

    portail_module = Module(
        key="messaging",
        namespace="messaging",
        urls="messaging.urls",
        url_prefix="messages/",
        entry_url="messaging:inbox",
        navigation=(NavEntry(_("Secure conversations"), "messaging:inbox"),),
        demo_data="messaging.demo.seed",
        name=_("Secure conversations"),
        description=_("Read and answer the private conversations you take part in."),
        settings_model="messaging.MessagingSettings",
        audit_actions={
            "messaging.persona_link_sent": _("Link sent to add an address to secure conversations"),
            "messaging.persona_confirmed": _("Address added to secure conversations"),
            "messaging.collaborator_enabled": _("Messaging collaborator enabled"),
            "messaging.collaborator_deactivated": _("Messaging collaborator deactivated"),
            "messaging.collaborator_reactivated": _("Messaging collaborator reactivated"),
            "messaging.conversations_handed_over": _("Conversations handed over to a successor"),
            "messaging.conversation_started": _("Secure conversation started"),
            "messaging.message_posted": _("Secure message posted"),
            "messaging.message_opened": _("Secure message opened"),
            "messaging.notification_resent": _("Secure message notification sent again"),
            "messaging.account_opened": _("Account opened from a secure message notification"),
            "messaging.file_downloaded": _("Secure message file downloaded"),
            "messaging.messages_expired": _("Expired secure messages removed"),
        },
    )

    def ready(self):
        from . import files
        from .uploads import api

        api.register_limits_provider(files.limits_for_request)
        api.upload_held.connect(files.tell_sender_a_file_was_held, dispatch_uid="messaging.file_held")
