from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portail")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from .models import Tenant
        from .tenancy import tenant_directory

        # The per-process tenant directory forgets what it holds as soon as a tenant changes here.
        post_save.connect(tenant_directory.clear, sender=Tenant, dispatch_uid="tenant_directory_save")
        post_delete.connect(tenant_directory.clear, sender=Tenant, dispatch_uid="tenant_directory_delete")
