"""The production hasher (the rest of the suite uses a fast one, see portal/settings/test.py)."""

import pytest
from django.contrib.auth.hashers import check_password, identify_hasher, make_password

PRODUCTION_HASHERS = [
    "accounts.hashers.PortailArgon2Hasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]


@pytest.fixture
def production_hashers(settings):
    settings.PASSWORD_HASHERS = PRODUCTION_HASHERS


def test_hashing_uses_argon2id_with_19_mib_two_passes_one_lane(production_hashers):
    encoded = make_password("Correct-Horse-Battery-42")
    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert check_password("Correct-Horse-Battery-42", encoded)
    assert not check_password("correct-horse-battery-42", encoded)


def test_hashing_rehashes_other_argon2_parameters_to_the_portal_profile_at_sign_in(production_hashers):
    from django.contrib.auth.hashers import Argon2PasswordHasher

    django_default = Argon2PasswordHasher().encode("Correct-Horse-Battery-42", "saltsaltsaltsalt")
    assert identify_hasher(django_default).must_update(django_default)
    upgraded = []
    assert check_password("Correct-Horse-Battery-42", django_default, setter=upgraded.append)
    assert upgraded == ["Correct-Horse-Battery-42"]
