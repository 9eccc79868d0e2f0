from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from portal.modules import Module


class VotingConfig(AppConfig):
    name = "voting"
    verbose_name = _("Member votes")

    # No pages yet: the home card says the service is coming instead of leading nowhere.
    portail_module = Module(
        key="voting",
        namespace="voting",
        demo_data="voting.demo.seed",
        name=_("Member votes"),
        description=_("Register for the votes and cast a secret ballot."),
    )
