"""Demo tenants and sign-ins (DESIGN.md, "Demo data"). Idempotent; every name in it is fictional."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import User
from portal.models import Tenant

DEMO_PASSWORD = "Demo-Portal-2026"  # noqa: S105 - the documented demo sign-in, never a real secret

TENANTS = [
    {
        "slug": "poste",
        "name_fr": "Poste démo",
        "name_en": "Demo Post",
        "module_accounts": True,
        "module_messaging": True,
        "sign_in_with": Tenant.SignIn.USER_ID,
        "accent_colour": "#a3141d",
        "helpdesk_fr": "Service d’assistance (démo) : 1-800-555-0100",
        "helpdesk_en": "Help desk (demo): 1-800-555-0100",
    },
    {
        "slug": "universite",
        "name_fr": "Université démo",
        "name_en": "Demo University",
        "module_accounts": True,
        "sign_in_with": Tenant.SignIn.CODE,
        "accent_colour": "#005a8c",
        "helpdesk_fr": "Soutien informatique (démo) : 514-555-0150, poste 5050",
        "helpdesk_en": "IT support (demo): 514-555-0150, extension 5050",
    },
    {
        "slug": "syndicat",
        "name_fr": "Syndicat démo",
        "name_en": "Demo Union",
        "module_voting": True,
        "sign_in_with": Tenant.SignIn.EMAIL,
        "accent_colour": "#4a2a7a",
        "helpdesk_fr": "Adhésions (démo) : adhesions@syndicat.example",
        "helpdesk_en": "Membership (demo): adhesions@syndicat.example",
    },
    {
        "slug": "coffre",
        "name_fr": "Coffre-fort démo",
        "name_en": "Demo Vault",
        "module_vault": True,
        "sign_in_with": Tenant.SignIn.IDENTIFIER_OR_EMAIL,
        "accent_colour": "#1b5e4a",
        "helpdesk_fr": "Assistance (démo) : aide@coffre.example",
        "helpdesk_en": "Support (demo): aide@coffre.example",
        "lockout_threshold": 3,
        "lockout_minutes": 120,
    },
]

# (tenant slug, identifier, e-mail, first name, last name, help desk)
PEOPLE = [
    ("poste", "E100001", "e100001@poste.example", "Camille", "Exemple", False),
    ("poste", "collab@poste.example", "collab@poste.example", "Dominique", "Collaboratrice", False),
    ("universite", "DEMO12345", "demo12345@universite.example", "Alex", "Exemple", False),
    ("syndicat", "membre@syndicat.example", "membre@syndicat.example", "Sacha", "Membre", False),
    ("coffre", "123456789012", "salarie@coffre.example", "Paul", "Exemple", False),
    ("poste", "helpdesk@poste.example", "helpdesk@poste.example", "Agent", "Assistance", True),
    ("universite", "helpdesk@universite.example", "helpdesk@universite.example", "Agent", "Assistance", True),
    ("syndicat", "helpdesk@syndicat.example", "helpdesk@syndicat.example", "Agent", "Assistance", True),
    # On the vault every account has a 12-digit identifier; the agent signs in with the e-mail.
    ("coffre", "900000000001", "helpdesk@coffre.example", "Agent", "Assistance", True),
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
            tenants[slug], _ = Tenant.objects.update_or_create(slug=slug, defaults=spec)
        for slug, identifier, email, first, last, staff in PEOPLE:
            self._person(tenants[slug], identifier, email, first, last, staff)
        admin = User.objects.filter(tenant__isnull=True, identifier="admin").first()
        if admin is None:
            admin = User.objects.create_superuser("admin", "admin@portail.example", DEMO_PASSWORD)
        else:
            admin.set_password(DEMO_PASSWORD)
            admin.save(update_fields=["password"])
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready: {len(tenants)} tenants, password {DEMO_PASSWORD}")
        )

    def _person(self, tenant, identifier, email, first, last, staff):
        user = (
            User.objects.for_tenant(tenant).filter(identifier=tenant.normalise_identifier(identifier)).first()
        )
        if user is None:
            user = User.objects.create_user(
                tenant=tenant,
                identifier=identifier,
                password=DEMO_PASSWORD,
                email=email,
                first_name=first,
                last_name=last,
                is_staff=staff,
            )
        else:
            user.email, user.first_name, user.last_name, user.is_staff = email, first, last, staff
            user.is_active = True
            user.set_password(DEMO_PASSWORD)
            user.save()
        return user
