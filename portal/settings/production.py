"""Production: PostgreSQL, Redis, SMTP, object storage, HTTPS only. Every secret comes from the
environment and has no default; a missing one stops the start."""

import os

from django.core.exceptions import ImproperlyConfigured

os.environ["DEBUG"] = "false"

from .base import *  # noqa: E402,F403
from .base import env  # noqa: E402

if not DATABASES["default"]["ENGINE"].endswith("postgresql"):  # noqa: F405
    raise ImproperlyConfigured("Production needs DATABASE_URL=postgres://…")
if not CELERY_BROKER_URL:  # noqa: F405
    raise ImproperlyConfigured("Production needs CELERY_BROKER_URL=redis://…")
if not REDIS_CACHE_URL:  # noqa: F405
    # Sessions, the per-address sign-in throttle and the recovery-mail interval are shared by every
    # process only through Redis; a per-process memory cache would multiply the throttle's allowance.
    raise ImproperlyConfigured("Production needs REDIS_CACHE_URL=redis://…")
if not env.list("PORTAIL_DATA_KEYS", default=[]):
    # TOTP keys are encrypted and SIN digits hashed with it; it must not live beside the database.
    raise ImproperlyConfigured("Production needs PORTAIL_DATA_KEYS=<a random key, distinct from SECRET_KEY>")
if not env("EMAIL_URL", default=""):
    raise ImproperlyConfigured("Production needs EMAIL_URL=smtp+tls://…")

DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[PORTAIL_BASE_URL])  # noqa: F405

STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage",
}
