"""Password rules (NIST SP 800-63B-4): length by the tenant, any Unicode, offline lists of common and
leaked passwords, simple patterns, personal context, and the last passwords."""

import pytest
from django.core.exceptions import ValidationError

from accounts.password_validation import (
    CommonOrBreachedValidator,
    PersonalContextValidator,
    TenantLengthValidator,
    _common_passwords,
    rules_for,
)
from tests.factories import PASSWORD


@pytest.fixture(autouse=True)
def english():
    from django.utils import translation

    with translation.override("en"):
        yield


def refused(validator, password, user=None):
    with pytest.raises(ValidationError) as error:
        validator.validate(password, user)
    return error.value.messages[0]


class TestLength:
    def test_fifteen_characters_by_default_and_the_tenant_may_ask_more(self, user_a, tenant_a):
        validator = TenantLengthValidator()
        assert "at least 15" in refused(validator, "fourteen chars", user_a)
        validator.validate("fifteen chars!!", user_a)
        tenant_a.account_settings.password_min_length = 20
        assert "at least 20" in refused(validator, "fifteen chars!!", user_a)
        assert rules_for(user_a)[0][1].startswith("At least 20 characters")

    def test_any_unicode_and_long_passphrases_are_welcome(self, user_a):
        validator = TenantLengthValidator()
        validator.validate("Le café d’été à Montréal", user_a)
        validator.validate("x" * 40 + " une très longue phrase de passe " * 4, user_a)
        assert "longer than 256" in refused(validator, "y" * 257, user_a)


class TestCommonOrBreached:
    @pytest.mark.parametrize(
        "password",
        [
            "passwordpassword",
            "Motdepasse123456",
            "correct horse battery staple",
            "password123456789!",
            "abcabcabcabcabcabc",
            "aaaaaaaaaaaaaaaaaa",
            "123456789012345",
            "987654321098765",
            "qwertyuiopasdfghjkl",
            "azertyuiopqsdfghjklm",
            "abcdefghijklmnopq",
        ],
    )
    def test_refused(self, password):
        assert "common or leaked" in refused(CommonOrBreachedValidator(), password)

    @pytest.mark.parametrize(
        "password",
        [PASSWORD, "Demo-Portal-2026", "Un chemin de traverse sous la neige", "violon rouge 7 marées"],
    )
    def test_accepted(self, password):
        CommonOrBreachedValidator().validate(password)

    def test_lists_are_loaded_once_and_hold_both_sources(self):
        words = _common_passwords()
        assert words is _common_passwords()
        assert "passwordpassword" in words and "iloveyou" in words  # ours, and Django's 20,000


class TestPersonalContext:
    def test_identifier_names_and_tenant_are_refused_whatever_the_case_and_accents(self, user_a, tenant_a):
        validator = PersonalContextValidator()
        user_a.last_name = "Lefèbvre"
        for password in (
            "my id is a000001 forever",
            "alice in wonderland forever",
            "LEFEBVRE family since 1901",
            "I work at ALPHA since spring",
        ):
            assert "identifier" in refused(validator, password, user_a), password
        validator.validate("Un chemin de traverse sous la neige", user_a)

    def test_member_number_is_refused(self, user_a):
        from accounts.models import Membership

        Membership.objects.create(tenant=user_a.tenant, user=user_a, member_number="912345")
        assert refused(PersonalContextValidator(), "member 912345 of the union", user_a)


def test_the_settings_apply_every_rule(user_a):
    from django.contrib.auth.password_validation import validate_password

    for password in ("short", "passwordpassword", "alice alice alice alice"):
        with pytest.raises(ValidationError):
            validate_password(password, user_a)
    validate_password("Un chemin de traverse sous la neige", user_a)


def test_the_form_lists_the_tenants_numbers(client, user_a, tenant_a):
    tenant_a.account_settings.password_min_length = 18
    tenant_a.account_settings.save()
    user_a.must_change_password = True
    user_a.save()
    client.force_login(user_a)
    page = client.get("/alpha/password/new/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-min="18"' in page and "At least 18 characters" in page
