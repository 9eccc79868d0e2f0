from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portail")

    def ready(self):
        from django.db.models.signals import post_delete, post_save
        from django.middleware import csrf as django_csrf

        from . import (
            checks,  # noqa: F401  (the module declarations' system checks)
            csrf,
            settings_reads,
        )
        from .models import Tenant
        from .modules import settings_models
        from .tenancy import tenant_directory

        settings_reads.install()

        # The per-process tenant directory forgets what it holds as soon as a tenant, or the settings
        # it loads with each tenant, change here.
        for model in [Tenant, *settings_models()]:
            uid = model._meta.label_lower
            post_save.connect(
                tenant_directory.clear, sender=model, dispatch_uid=f"tenant_directory_save_{uid}"
            )
            post_delete.connect(
                tenant_directory.clear, sender=model, dispatch_uid=f"tenant_directory_delete_{uid}"
            )

        # Django's new CSRF secrets (a first visit's, and the one login() rotates in) and its own masks
        # drawn with one read of the random source instead of 32, and the masks applied and removed
        # a token at a time (portal/csrf.py).
        django_csrf._get_new_csrf_string = csrf.new_secret
        django_csrf._mask_cipher_secret = csrf.mask_secret
        django_csrf._unmask_cipher_token = csrf.unmask_token
