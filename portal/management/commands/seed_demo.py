"""Demo tenants, then each module's demo data through its contract. Idempotent; every name in it
is fictional."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from portal.models import Tenant
from portal.modules import all_modules

DEMO_PASSWORD = "Demo-Portal-2026"  # noqa: S105 - the documented demo sign-in, never a real secret

# What the portal itself holds per tenant. Each module's demo step switches the module on for the
# tenants it fills and sets its own settings.
TENANTS = [
    {
        "slug": "poste",
        "name_fr": "Poste démo",
        "name_en": "Demo Post",
        "accent_colour": "#a3141d",
        "helpdesk_fr": "Service d’assistance (démo) : 1-800-555-0100",
        "helpdesk_en": "Help desk (demo): 1-800-555-0100",
    },
    {
        "slug": "universite",
        "name_fr": "Université démo",
        "name_en": "Demo University",
        "accent_colour": "#005a8c",
        "helpdesk_fr": "Soutien informatique (démo) : 514-555-0150, poste 5050",
        "helpdesk_en": "IT support (demo): 514-555-0150, extension 5050",
    },
    {
        "slug": "syndicat",
        "name_fr": "Syndicat démo",
        "name_en": "Demo Union",
        "accent_colour": "#4a2a7a",
        "helpdesk_fr": "Adhésions (démo) : adhesions@syndicat.example",
        "helpdesk_en": "Membership (demo): adhesions@syndicat.example",
    },
    {
        "slug": "coffre",
        "name_fr": "Coffre-fort démo",
        "name_en": "Demo Vault",
        "accent_colour": "#1b5e4a",
        "helpdesk_fr": "Assistance (démo) : aide@coffre.example",
        "helpdesk_en": "Support (demo): aide@coffre.example",
    },
]


class Command(BaseCommand):
    help = "Create or refresh the demo tenants and sign-ins. Refused when DEBUG is off unless --force."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even though DEBUG is off.")

    @transaction.atomic
    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates accounts with a published password; DEBUG is off. Use --force."
            )
        tenants = {}
        for spec in TENANTS:
            spec = dict(spec)
            slug = spec.pop("slug")
            tenants[slug], _ = Tenant.objects.update_or_create(slug=slug, defaults={**spec, "modules": []})
        # Each module adds its own data, in INSTALLED_APPS order (the core's people come first).
        lines = [step(tenants) for step in (m.get_demo_step() for m in all_modules()) if step is not None]
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready: {len(tenants)} tenants, password {DEMO_PASSWORD}")
        )
        self.stdout.write("\n".join(line for line in lines if line))
