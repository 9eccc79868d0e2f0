import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, env_overrides, settings_module):
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL"}}
    env.update(env_overrides, DJANGO_SETTINGS_MODULE=settings_module)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


PRODUCTION_ENV = {
    "DATABASE_URL": "postgres://portail@db.internal:5432/portail",
    "CELERY_BROKER_URL": "redis://redis.internal:6379/0",
    "REDIS_CACHE_URL": "redis://redis.internal:6379/1",
    "EMAIL_URL": "smtp+tls://mailer:mailer-password@smtp.internal:587",
    "ALLOWED_HOSTS": "portail.example",
    "PORTAIL_BASE_URL": "https://portail.example",
    "PORTAIL_DATA_KEYS": "example-data-key-for-the-check-only",
}


def test_production_settings_pass_check_deploy_with_no_warning():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_overrides={**PRODUCTION_ENV, "SECRET_KEY": secrets.token_urlsafe(50)},
        settings_module="portal.settings.production",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", env_overrides=PRODUCTION_ENV, settings_module="portal.settings.production")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_sqlite():
    env = {
        **PRODUCTION_ENV,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": "sqlite:////tmp/x.sqlite3",
    }
    result = run_manage("check", env_overrides=env, settings_module="portal.settings.production")
    assert result.returncode != 0 and "DATABASE_URL" in result.stderr


def test_production_refuses_a_per_process_cache():
    env = {**PRODUCTION_ENV, "SECRET_KEY": secrets.token_urlsafe(50), "REDIS_CACHE_URL": ""}
    result = run_manage("check", env_overrides=env, settings_module="portal.settings.production")
    assert result.returncode != 0 and "REDIS_CACHE_URL" in result.stderr


def test_production_refuses_to_start_without_the_data_key():
    # Without it the TOTP keys and the SIN digests would be protected by nothing outside the database.
    env = {**PRODUCTION_ENV, "SECRET_KEY": secrets.token_urlsafe(50), "PORTAIL_DATA_KEYS": ""}
    result = run_manage("check", env_overrides=env, settings_module="portal.settings.production")
    assert result.returncode != 0 and "PORTAIL_DATA_KEYS" in result.stderr


@pytest.mark.django_db
def test_no_missing_migrations():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db
def test_pages_send_the_security_headers(client, tenant_a):
    response = client.get("/alpha/sign-in/")
    csp = response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_pages_have_no_inline_script_or_style(client, tenant_a, user_a, sign_in):
    sign_in(user_a)
    for url in ["/", "/alpha/", "/alpha/sign-in/"]:
        html = client.get(url).content.decode()
        assert "<script>" not in html and "<style" not in html and " style=" not in html, url


def test_hsts_is_set_in_production_settings():
    result = run_manage(
        "shell",
        "-v",
        "0",
        "-c",
        "from django.conf import settings as s; print(s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.DEBUG)",
        env_overrides={**PRODUCTION_ENV, "SECRET_KEY": secrets.token_urlsafe(50)},
        settings_module="portal.settings.production",
    )
    assert result.stdout.split() == ["31536000", "True", "True", "True", "False"], result.stderr
