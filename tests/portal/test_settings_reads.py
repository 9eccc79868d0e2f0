"""Reading a setting runs no Python code once configured, and everything that changes settings still
does (portal/settings_reads.py)."""

import sys
from functools import partial

import pytest
from django.conf import LazySettings, settings
from django.test import override_settings


def _python_calls_while(read):
    calls = []
    sys.setprofile(lambda frame, event, arg: calls.append(frame.f_code.co_name) if event == "call" else None)
    try:
        read()
    finally:
        sys.setprofile(None)
    return calls


def test_a_setting_read_twice_runs_no_python_code_the_second_time():
    assert type(settings).__mro__[1] is LazySettings and settings.configured
    assert type(settings._wrapped).__name__ == "Settings"
    settings.LANGUAGE_CODE  # noqa: B018  (the first read keeps the value)
    assert _python_calls_while(partial(getattr, settings, "LANGUAGE_CODE")) == []


def test_override_settings_changes_a_read_value_and_puts_it_back():
    before = settings.LANGUAGE_CODE
    with override_settings(LANGUAGE_CODE="en"):
        assert settings.LANGUAGE_CODE == "en"
        with override_settings(LANGUAGE_CODE="fr"):
            assert settings.LANGUAGE_CODE == "fr"
        assert settings.LANGUAGE_CODE == "en"
    assert settings.LANGUAGE_CODE == before


def test_a_setting_added_for_a_test_is_read_and_then_gone():
    with override_settings(PORTAIL_ONLY_IN_THIS_TEST=3):
        assert settings.PORTAIL_ONLY_IN_THIS_TEST == 3
    with pytest.raises(AttributeError):
        settings.PORTAIL_ONLY_IN_THIS_TEST  # noqa: B018


def test_the_settings_fixture_and_a_deleted_setting(settings):
    settings.LANGUAGE_CODE = "en"
    from django.conf import settings as django_settings

    assert django_settings.LANGUAGE_CODE == "en"
    del settings.LANGUAGE_CODE
    with pytest.raises(AttributeError):
        django_settings.LANGUAGE_CODE  # noqa: B018


@pytest.fixture
def catalogs_built_again():
    """The translation catalogs forgotten, as a change of INSTALLED_APPS or LOCALE_PATHS does, and put
    back after the test."""
    from django.utils.translation import trans_real

    kept = trans_real._translations
    trans_real._translations = {}
    yield
    trans_real._translations = kept


def test_catalogs_built_after_start_up_still_hold_django_s_own_french(catalogs_built_again):
    # Django finds its own catalog next to the module the settings object says it comes from: a month
    # name, which the portal's catalog does not translate, is still French.
    from django.utils import translation

    assert settings.__module__ == "django.conf"
    with translation.override("fr"):
        assert translation.gettext("January") == "janvier"
        assert translation.gettext("This field is required.") == "Ce champ est obligatoire."
