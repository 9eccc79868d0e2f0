from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from portal.modules import Module


class VaultConfig(AppConfig):
    name = "vault"
    verbose_name = _("Payslip vault")

    # No pages yet: the home card says the service is coming instead of leading nowhere.
    portail_module = Module(
        key="vault",
        namespace="vault",
        demo_data="vault.demo.seed",
        name=_("Payslip vault"),
        description=_("Read your payslips, year by year, from every employer."),
    )
