"""The self-service part of `seed_demo`: a catalogue of nine questions, E100001's answers and device,
DEMO12345's employee number, PIN and identity data. Every value is fictional."""

import datetime

from django.utils import timezone

from accounts.devices import AuthenticatorDevice
from accounts.models import User
from portal.modules import switch_on_for_demo

from .models import RecoveryIdentity, SecurityAnswer, SecurityQuestion, SelfServiceSettings

# The catalogue, each question with its length rule (docs/journeys.md#questions-set).
QUESTIONS = [
    (
        "Quel était le nom de votre premier animal de compagnie?",
        "What was the name of your first pet?",
        4,
        20,
    ),
    ("Où avez-vous voyagé pour la première fois?", "Where did you first travel to?", 3, 30),
    ("Quelle était la couleur de votre première voiture?", "What colour was your first car?", 3, 20),
    (
        "Quel est le nom du personnage principal de votre livre préféré?",
        "What is the name of the main character of your favourite book?",
        3,
        30,
    ),
    ("Quel est votre livre préféré?", "What is your favourite book?", 3, 40),
    ("Quel est le deuxième prénom de votre père?", "What is your father's middle name?", 3, 20),
    ("Qui est votre auteur préféré?", "Who is your favourite author?", 3, 40),
    ("Quel est votre plat préféré?", "What is your favourite dish?", 3, 30),
    ("Quel est votre véhicule préféré?", "What is your favourite vehicle?", 3, 30),
]
# E100001 (poste): three questions to recover, one for the help desk.
ANSWERS = {0: "Pixel", 1: "Gaspé", 2: "Rouge"}
HELPDESK_ANSWERS = {7: "Pâté chinois"}
DEVICE_NAME = "Téléphone démo"
# DEMO12345 (universite): no questions; employee number + PIN (docs/journeys.md#recover-pin) and
# identity data (docs/journeys.md#recover-identity).
IDENTITY = {
    "employee_number": "100200",
    "pin": "4321",
    "birth_date": datetime.date(1970, 1, 15),
    "sin_digits": "046454",
}


def seed(tenants) -> dict:
    for slug in ("poste", "universite"):
        tenant = tenants[slug]
        for position, (fr, en, low, high) in enumerate(QUESTIONS):
            SecurityQuestion.objects.update_or_create(
                tenant=tenant,
                text_fr=fr,
                defaults={"text_en": en, "min_length": low, "max_length": high, "position": position},
            )
    poste = tenants["poste"]
    catalogue = list(SecurityQuestion.objects.for_tenant(poste).order_by("position"))
    camille = User.objects.for_tenant(poste).get(identifier="E100001")
    SecurityAnswer.objects.for_tenant(poste).filter(user=camille).delete()
    for purpose, answers in (("self", ANSWERS), ("helpdesk", HELPDESK_ANSWERS)):
        for index, text in answers.items():
            answer = SecurityAnswer(tenant=poste, user=camille, question=catalogue[index], purpose=purpose)
            answer.set_answer(text)
            answer.save()
    device = AuthenticatorDevice.objects.for_tenant(poste).filter(user=camille, name=DEVICE_NAME).first()
    if device is None:
        device = AuthenticatorDevice.start(camille, DEVICE_NAME)
        device.confirmed = True
        device.created_at = timezone.now()
        device.save()
    universite = tenants["universite"]
    alex = User.objects.for_tenant(universite).get(identifier="DEMO12345")
    SecurityAnswer.objects.for_tenant(universite).filter(user=alex).delete()
    identity, _ = RecoveryIdentity.objects.get_or_create(tenant=universite, user=alex)
    identity.employee_number = IDENTITY["employee_number"]
    identity.birth_date = IDENTITY["birth_date"]
    identity.set_pin(IDENTITY["pin"])
    identity.set_sin_digits(IDENTITY["sin_digits"])
    identity.save()
    return {"totp_key": device.base32_key}


def summary(result) -> str:
    answers = ", ".join(f"“{QUESTIONS[i][0]}” {a}" for i, a in ANSWERS.items())
    helpdesk = ", ".join(f"“{QUESTIONS[i][0]}” {a}" for i, a in HELPDESK_ANSWERS.items())
    return (
        f"  poste, E100001 security questions: {answers}; help-desk question: {helpdesk}\n"
        f"  poste, E100001 mobile device (TOTP key for an authenticator app): {result['totp_key']}\n"
        f"  universite, DEMO12345 (Alex Exemple): employee number {IDENTITY['employee_number']}, "
        f"PIN {IDENTITY['pin']}, born {IDENTITY['birth_date']:%Y-%m-%d}, "
        f"SIN last six {IDENTITY['sin_digits']}"
    )


# The proof alone lets a person choose a new password on these two tenants, as on the older portals
# (docs/journeys.md#recover-mail-code).
PROOF_ALONE = ("poste", "universite")


def seed_demo(tenants) -> str:
    """The self-service step of `seed_demo`: its settings, then its data; returns the lines to print."""
    switch_on_for_demo(tenants, "selfservice", ["poste", "universite"])
    for slug in PROOF_ALONE:
        SelfServiceSettings.objects.update_or_create(
            tenant=tenants[slug], defaults={"recovery_proof_alone": True}
        )
    return summary(seed(tenants))
