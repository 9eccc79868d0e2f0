from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from portal.modules import Module


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = _("Secure conversations")

    # No pages yet: the home card says the service is coming instead of leading nowhere.
    portail_module = Module(
        key="messaging",
        namespace="messaging",
        demo_data="messaging.demo.seed",
        name=_("Secure conversations"),
        description=_("Read and answer the private conversations you take part in."),
        settings_model="messaging.MessagingSettings",
    )
