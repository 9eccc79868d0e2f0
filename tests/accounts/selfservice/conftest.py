import datetime
import re

import pytest
from django_otp.oath import TOTP

from accounts.devices import AuthenticatorDevice
from accounts.selfservice.demo import QUESTIONS
from accounts.selfservice.models import RecoveryIdentity, SecurityAnswer, SecurityQuestion
from tests.factories import TenantFactory, UserFactory

# `client` (English), `submit` and the fresh cache come from tests/accounts/conftest.py.


def make_tenant(slug, **extra):
    tenant = TenantFactory(
        slug=slug,
        sign_in_with="user_id",
        lockout_threshold=5,
        lockout_minutes=30,
        helpdesk_fr="Assistance : 1-800-555-0100",
        helpdesk_en="Help desk: 1-800-555-0100",
        **extra,
    )
    for position, (fr, en, low, high) in enumerate(QUESTIONS):
        SecurityQuestion.objects.create(
            tenant=tenant, text_fr=fr, text_en=en, min_length=low, max_length=high, position=position
        )
    return tenant


@pytest.fixture
def poste(db):
    """Like the demo `poste`: questions and device are sign-in alternatives; the proof alone suffices."""
    return make_tenant("poste-t", recovery_proof_alone=True)


@pytest.fixture
def strict(db):
    """A new tenant's default: a code mailed to the address on file follows every proof."""
    return make_tenant("strict-t")


def catalogue(tenant):
    return list(SecurityQuestion.objects.for_tenant(tenant).order_by("position"))


def give_answers(user, answers, purpose="self"):
    questions = catalogue(user.tenant)
    for index, text in answers.items():
        row = SecurityAnswer(tenant=user.tenant, user=user, question=questions[index], purpose=purpose)
        row.set_answer(text)
        row.save()


ANSWERS = {0: "Éléphant", 1: "Gaspé", 2: "Rouge"}
RIGHT = {"q0": "  elephant ", "q1": "GASPE", "q2": "rouge"}


@pytest.fixture
def camille(poste):
    user = UserFactory(
        tenant=poste, identifier="E100001", first_name="Camille", last_name="Exemple", preferred_language="en"
    )
    give_answers(user, ANSWERS)
    give_answers(user, {7: "Pâté chinois"}, purpose="helpdesk")
    return user


def add_device(user, name="Phone"):
    device = AuthenticatorDevice.start(user, name)
    device.confirmed = True
    device.save()
    return device


def current_code(device, offset=0):
    totp = TOTP(device.key, 30, 0, 6, 0)
    totp.time = totp.time + offset * 30
    return f"{totp.token():06d}"


@pytest.fixture
def alex(poste):
    """Like the demo `universite`'s employee: no questions; employee number, PIN and identity data."""
    user = UserFactory(tenant=poste, identifier="DEMO12345", first_name="Alex", last_name="Exemple")
    identity = RecoveryIdentity(
        tenant=poste, user=user, employee_number="100200", birth_date=datetime.date(1970, 1, 15)
    )
    identity.set_pin("4321")
    identity.set_sin_digits("046454")
    identity.save()
    return user


IDENTITY = {"first_name": "alex", "last_name": "EXEMPLE", "birth_date": "1970-01-15", "sin_digits": "046 454"}


def errors(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))
