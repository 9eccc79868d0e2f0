"""The accounts part of `seed_demo`: each demo tenant's sign-in policy, its people and the platform
administrator. Idempotent; every name in it is fictional."""

import secrets

from . import lockout
from .identifiers import normalise_identifier
from .models import AccountSettings, IdentityRecord, Membership, User
from .user_state import forget_users

DEMO_PASSWORD = "Demo-Portal-2026"  # noqa: S105 - the documented demo sign-in, never a real secret

SignIn = AccountSettings.SignIn

# Each demo tenant's account settings (the others keep their defaults).
SETTINGS = {
    "poste": {
        "sign_in_with": SignIn.USER_ID,
        "identifier_hint_fr": (
            "L’ID utilisateur se trouve sur votre bulletin de paie, à côté de votre ID d’employé."
        ),
        "identifier_hint_en": "Your user ID is on your pay statement, beside your employee ID.",
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
    "universite": {
        "sign_in_with": SignIn.CODE,
        "identifier_hint_fr": "Votre code d’accès figure sur votre carte d’employé, sous votre photo.",
        "identifier_hint_en": "Your access code is on your staff card, below your photo.",
    },
    "syndicat": {
        "sign_in_with": SignIn.EMAIL,
        "identifier_hint_fr": "Le courriel avec lequel vous recevez les communications du syndicat.",
        "identifier_hint_en": "The e-mail address where you receive the union's messages.",
        "allow_member_activation": True,
        "allow_email_registration": True,
    },
    "coffre": {
        "sign_in_with": SignIn.IDENTIFIER_OR_EMAIL,
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
}

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
# The demo member's e-mail is not verified yet, so the profile shows it in red
# (docs/journeys.md#profile-verify).
UNVERIFIED = {("syndicat", "membre@syndicat.example")}
LOCKED = ("poste", "E100002")
# What Paul Exemple answers on the lost-identifier form (docs/journeys.md#lostid-form).
LOST_IDENTIFIER_ANSWERS = {
    "birth_town": "Trois-Rivières",
    "birth_month": 6,
    "mobile_phone": "514 555 0142",
    "private_number": "588157",
}
# A member without a password (docs/journeys.md#activate) and a member without an e-mail
# (docs/journeys.md#register-email).
MEMBER_TO_ACTIVATE = ("nouveau@syndicat.example", "912345", "Noé", "Nouveau")
MEMBER_WITHOUT_EMAIL = ("membre-913579", "913579", "Rémi", "Sansmail")
# An employee who has never signed in (docs/journeys.md#first); the provisional secret is drawn
# afresh at each run.
NEWCOMER = ("210987654321", "Inès", "Nouvelle")


def seed(tenants) -> str:
    """Create or refresh the demo tenants' policies and people; returns the lines to print."""
    for slug, values in SETTINGS.items():
        AccountSettings.objects.update_or_create(tenant=tenants[slug], defaults=values)
        tenants[slug].refresh_from_db()  # forget the settings read before this step
    for slug, identifier, email, first, last, staff in PEOPLE:
        user = _person(tenants[slug], identifier, email, first, last, staff)
        user.email_verified = (slug, identifier) not in UNVERIFIED
        user.must_change_password = user.enrolment_pending = False
        user.save()
        if slug == "syndicat" and not staff:
            _member_number(user, "900001")
    paul = User.objects.for_tenant(tenants["coffre"]).get(identifier="123456789012")
    answers = dict(LOST_IDENTIFIER_ANSWERS)
    record, _created = IdentityRecord.objects.for_tenant(paul.tenant).get_or_create(
        user=paul, defaults={"tenant": paul.tenant}
    )
    record.set_private_number(answers.pop("private_number"))
    for field, value in answers.items():
        setattr(record, field, value)
    record.save()
    _lock(tenants[LOCKED[0]], LOCKED[1])
    _members(tenants["syndicat"])
    newcomer_secret = _newcomer(tenants["coffre"])
    admin = User.objects.filter(tenant__isnull=True, identifier="admin").first()
    if admin is None:
        User.objects.create_superuser("admin", "admin@portail.example", DEMO_PASSWORD)
    else:
        admin.set_password(DEMO_PASSWORD)
        admin.save(update_fields=["password"])
    answers = LOST_IDENTIFIER_ANSWERS
    return (
        f"  coffre, first sign-in: identifier {NEWCOMER[0]}, provisional secret {newcomer_secret}\n"
        f"  poste, locked account: {LOCKED[1]} (the help desk can unlock it)\n"
        f"  syndicat, activation: member number {MEMBER_TO_ACTIVATE[1]} with {MEMBER_TO_ACTIVATE[0]}\n"
        f"  syndicat, no e-mail on file: member number {MEMBER_WITHOUT_EMAIL[1]}, "
        f"{MEMBER_WITHOUT_EMAIL[2]} {MEMBER_WITHOUT_EMAIL[3]}\n"
        f"  coffre, lost identifier: Paul Exemple, born in {answers['birth_town']} "
        f"(month {answers['birth_month']}), mobile {answers['mobile_phone']}, "
        f"salarie@coffre.example, private number {answers['private_number']}"
    )


def _person(tenant, identifier, email, first, last, staff):
    user = User.objects.for_tenant(tenant).filter(identifier=normalise_identifier(tenant, identifier)).first()
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


def _lock(tenant, identifier):
    user = User.objects.for_tenant(tenant).get(identifier=identifier)
    key = lockout.lock_key(tenant, user=user)
    lockout.clear(key)
    for _ in range(tenant.account_settings.lockout_threshold):
        lockout.register_failure(tenant, key)


def _members(tenant):
    for identifier, number, _first, _last in (MEMBER_TO_ACTIVATE, MEMBER_WITHOUT_EMAIL):
        # An approved e-mail registration makes the address the identifier; put it back.
        people = User.objects.for_tenant(tenant).filter(
            pk__in=Membership.objects.for_tenant(tenant).filter(member_number=number).values("user_id")
        )
        changed = list(people.values_list("pk", flat=True))
        people.update(identifier=normalise_identifier(tenant, identifier))
        forget_users(changed)  # update() sends no post_save (accounts/user_state.py)
    identifier, number, first, last = MEMBER_TO_ACTIVATE
    member = _person(tenant, identifier, identifier, first, last, False)
    member.set_unusable_password()
    member.email_verified = False
    member.save()
    _member_number(member, number)
    identifier, number, first, last = MEMBER_WITHOUT_EMAIL
    member = _person(tenant, identifier, "", first, last, False)
    member.set_unusable_password()
    member.email_verified = False
    member.save()
    _member_number(member, number)


def _member_number(user, number):
    Membership.objects.for_tenant(user.tenant).update_or_create(
        user=user, defaults={"tenant": user.tenant, "member_number": number}
    )


def _newcomer(tenant):
    identifier, first, last = NEWCOMER
    secret = "-".join(secrets.token_hex(2).upper() for _ in range(3))
    user = _person(tenant, identifier, "", first, last, False)
    user.set_password(secret)
    user.enrolment_pending, user.email_verified, user.pending_email = True, False, ""
    user.save()
    return secret
