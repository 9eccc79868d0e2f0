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


def test_must_update_answers_as_django_for_every_shape_of_hash(production_hashers):
    """The portal's hasher keeps must_update's answers by the hash's header and lengths: the same
    answers as Django's decoding, for this profile, another profile, a short salt and an old format."""
    from django.contrib.auth.hashers import Argon2PasswordHasher

    from accounts import hashers

    ours = hashers.PortailArgon2Hasher()
    hashers._MUST_UPDATE.clear()
    same = [ours.encode("Correct-Horse-Battery-42", ours.salt()) for _ in range(3)]
    other = Argon2PasswordHasher().encode("Correct-Horse-Battery-42", "saltsaltsaltsalt")
    short_salt = ours.encode("Correct-Horse-Battery-42", "saltsalt12345678")  # 95 bits: too few
    old_format = "argon2$argon2i$m=512,t=2,p=2$c29tZXNhbHQ$Ys8QJ9pbIZhtvkQbDFHzqbkfWvS3gIDBVlAjvhfo3Rk"
    for encoded in [*same, other, short_salt, *same, other, short_salt]:
        assert ours.must_update(encoded) == Argon2PasswordHasher.must_update(ours, encoded)
    assert [ours.must_update(e) for e in (same[0], other, short_salt)] == [False, True, True]
    assert ours.must_update(old_format) is True  # decided by Django (five parts)


def test_verify_answers_for_the_right_password_only(production_hashers):
    from accounts.hashers import PortailArgon2Hasher

    hasher = PortailArgon2Hasher()
    encoded = hasher.encode("Correct-Horse-Battery-42", hasher.salt())
    assert hasher.verify("Correct-Horse-Battery-42", encoded)
    assert not hasher.verify("Correct-Horse-Battery-43", encoded)
    assert not hasher.verify("", encoded)
