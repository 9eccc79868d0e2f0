"""Demo tenants and sign-ins (DESIGN.md, "Demo data"). Idempotent; every name in it is fictional."""

import secrets

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts import lockout
from accounts.models import User
from accounts.selfservice import demo as selfservice_demo
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
        "identifier_hint_fr": (
            "L’ID utilisateur se trouve sur votre bulletin de paie, à côté de votre ID d’employé."
        ),
        "identifier_hint_en": "Your user ID is on your pay statement, beside your employee ID.",
        # Seed 000: the questions or the device alone let a person in and choose a new password.
        "recovery_proof_alone": True,
        "notice_fr": (
            "Ce service est réservé aux employés autorisés, pour consulter et mettre à jour leur propre "
            "dossier. Protégez votre ID utilisateur et votre mot de passe, et avisez le service d’assistance "
            "sans délai si vous pensez qu’ils ont été compromis. Tout usage inapproprié est interdit."
        ),
        "notice_en": (
            "This service is for authorised employees, to review and update their own records. Protect your "
            "user ID and password, and tell the help desk at once if you think they were compromised. Any "
            "inappropriate use is prohibited."
        ),
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
        "identifier_hint_fr": "Votre code d’accès figure sur votre carte d’employé, sous votre photo.",
        "identifier_hint_en": "Your access code is on your staff card, below your photo.",
        # Seed 002: answers, PIN or identity data lead straight to the new password.
        "recovery_proof_alone": True,
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
        "identifier_hint_fr": "Le courriel avec lequel vous recevez les communications du syndicat.",
        "identifier_hint_en": "The e-mail address where you receive the union's messages.",
        "allow_member_activation": True,
        "allow_email_registration": True,
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
        "allow_lost_identifier": True,
        "notice_fr": (
            "Coffre-fort numérique personnel (démo) : vos bulletins de paie y sont déposés par vos "
            "employeurs et restent à vous, même si vous changez d’employeur."
        ),
        "notice_en": (
            "Personal digital vault (demo): your employers deposit your payslips here, and they stay yours "
            "even when you change employers."
        ),
        "identifier_hint_fr": (
            "L’identifiant de 12 chiffres est dans le courrier d’enrôlement envoyé par votre employeur. "
            "Après votre première connexion, votre courriel personnel fonctionne aussi."
        ),
        "identifier_hint_en": (
            "The 12-digit identifier is in the enrolment letter your employer sent. After your first "
            "sign-in, your personal e-mail works too."
        ),
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
    # A locked account (poste), to try the lock message and the help desk's "Unlock".
    ("poste", "E100002", "e100002@poste.example", "Loïc", "Verrouillé", False),
]
# Seed 003 step 4: the demo member's e-mail is not verified yet ("Courriel non vérifié").
UNVERIFIED = {("syndicat", "membre@syndicat.example")}
LOCKED = ("poste", "E100002")
# Seed 004, "Identifiant perdu": what Paul Exemple answers on the lost-identifier form.
LOST_IDENTIFIER_ANSWERS = {
    "birth_town": "Trois-Rivières",
    "birth_month": 6,
    "mobile_phone": "514 555 0142",
    "private_number": "588157",
}
# Seed 003: a member without a password (activation) and a member without an e-mail (registration).
MEMBER_TO_ACTIVATE = ("nouveau@syndicat.example", "912345", "Noé", "Nouveau")
MEMBER_WITHOUT_EMAIL = ("membre-913579", "913579", "Rémi", "Sansmail")
# Seed 004: an employee who has never signed in; the provisional secret is drawn afresh at each run.
NEWCOMER = ("210987654321", "Inès", "Nouvelle")


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
            user = self._person(tenants[slug], identifier, email, first, last, staff)
            user.email_verified = (slug, identifier) not in UNVERIFIED
            user.must_change_password = user.enrolment_pending = False
            if slug == "syndicat" and not staff:
                user.member_number = "900001"
            user.save()
        paul = User.objects.for_tenant(tenants["coffre"]).get(identifier="123456789012")
        answers = dict(LOST_IDENTIFIER_ANSWERS)
        paul.set_private_number(answers.pop("private_number"))
        for field, value in answers.items():
            setattr(paul, field, value)
        paul.save()
        self._lock(tenants[LOCKED[0]], LOCKED[1])
        self._members(tenants["syndicat"])
        newcomer_secret = self._newcomer(tenants["coffre"])
        self_service = selfservice_demo.seed(tenants)
        admin = User.objects.filter(tenant__isnull=True, identifier="admin").first()
        if admin is None:
            admin = User.objects.create_superuser("admin", "admin@portail.example", DEMO_PASSWORD)
        else:
            admin.set_password(DEMO_PASSWORD)
            admin.save(update_fields=["password"])
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready: {len(tenants)} tenants, password {DEMO_PASSWORD}")
        )
        answers = LOST_IDENTIFIER_ANSWERS
        self.stdout.write(
            f"  coffre, first sign-in: identifier {NEWCOMER[0]}, provisional secret {newcomer_secret}\n"
            f"  poste, locked account: {LOCKED[1]} (the help desk can unlock it)\n"
            f"  syndicat, activation: member number {MEMBER_TO_ACTIVATE[1]} with {MEMBER_TO_ACTIVATE[0]}\n"
            f"  syndicat, no e-mail on file: member number {MEMBER_WITHOUT_EMAIL[1]}, "
            f"{MEMBER_WITHOUT_EMAIL[2]} {MEMBER_WITHOUT_EMAIL[3]}\n"
            f"  coffre, lost identifier: Paul Exemple, born in {answers['birth_town']} "
            f"(month {answers['birth_month']}), mobile {answers['mobile_phone']}, "
            f"salarie@coffre.example, private number {answers['private_number']}\n"
            + selfservice_demo.summary(self_service)
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

    def _lock(self, tenant, identifier):
        user = User.objects.for_tenant(tenant).get(identifier=identifier)
        key = lockout.lock_key(tenant, user=user)
        lockout.clear(key)
        for _ in range(tenant.lockout_threshold):
            lockout.register_failure(tenant, key)

    def _members(self, tenant):
        for identifier, number, _first, _last in (MEMBER_TO_ACTIVATE, MEMBER_WITHOUT_EMAIL):
            # An approved e-mail registration makes the address the identifier; put it back.
            User.objects.for_tenant(tenant).filter(member_number=number).update(
                identifier=tenant.normalise_identifier(identifier)
            )
        identifier, number, first, last = MEMBER_TO_ACTIVATE
        member = self._person(tenant, identifier, identifier, first, last, False)
        member.set_unusable_password()
        member.member_number, member.email_verified = number, False
        member.save()
        identifier, number, first, last = MEMBER_WITHOUT_EMAIL
        member = self._person(tenant, identifier, "", first, last, False)
        member.set_unusable_password()
        member.member_number, member.email_verified = number, False
        member.save()

    def _newcomer(self, tenant):
        identifier, first, last = NEWCOMER
        secret = "-".join(secrets.token_hex(2).upper() for _ in range(3))
        user = self._person(tenant, identifier, "", first, last, False)
        user.set_password(secret)
        user.enrolment_pending, user.email_verified, user.pending_email = True, False, ""
        user.save()
        return secret
