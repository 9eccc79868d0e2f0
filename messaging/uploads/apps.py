from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UploadsConfig(AppConfig):
    """Not a module of its own (no `portail_module`): the conversations' files, used through `api.py`."""

    name = "messaging.uploads"
    label = "messaging_uploads"
    verbose_name = _("Conversation files")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from portal.audit import register_action

        register_action("messaging.upload_held", _("File held by the virus check"))
