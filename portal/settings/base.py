"""Settings shared by every environment. Values come from the environment only."""

from pathlib import Path

import environ
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY")  # no default: a missing key stops the start
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
# The public address of the portal; mailed links are built from it, never from the Host header.
PORTAIL_BASE_URL = env("PORTAIL_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")
# Keys kept outside the database for what it must not hold in clear: TOTP keys (encrypted) and the
# SIN digits (keyed hash). The first key is used for new data; list an old one after it to rotate.
# Without the variable (development, tests), a key is derived from SECRET_KEY; production requires it.
PORTAIL_DATA_KEYS = env.list("PORTAIL_DATA_KEYS", default=[]) or [f"derived:{SECRET_KEY}"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "csp",
    "django_otp",
    "portal",
    "accounts",
    "accounts.selfservice",
    "messaging",
    "messaging.uploads",
    "vault",
    "voting",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.csp.CSPMiddleware",
    "portal.tenancy.TenantMiddleware",
    # Holds the sign-in's writes after the hash for the session's INSERT (outside the session's own).
    "accounts.guard.HeldWritesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.tenancy.TenantUserMiddleware",
    "accounts.middleware.AccountSessionMiddleware",
    "accounts.guard.DeviceCookieMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "portal.urls"
# How long a process may serve a tenant's settings before reading them again (0: every request).
TENANT_CACHE_SECONDS = env.int("TENANT_CACHE_SECONDS", default=30)
# Pages under /<tenant-slug>/ are resolved against this urlconf by portal.tenancy.TenantMiddleware.
TENANT_URLCONF = "portal.urls_tenant"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "portal.context_processors.tenant",
            ],
            # {% extends %} with the root template's blocks found once (portal/templatetags/extends.py).
            "builtins": ["portal.templatetags.extends"],
        },
    },
]
FORM_RENDERER = "portal.renderers.FormRenderer"

# --- Database -------------------------------------------------------------------------------
# Embedded default: a SQLite file under var/. Production: DATABASE_URL=postgres://… (psycopg 3).
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'portail.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=0))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's, with a health check that costs no round trip on a healthy connection.
    DATABASES["default"]["ENGINE"] = "portal.postgresql"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Every transaction takes the write lock when it begins, and waits for it up to 20 s: a burst of
    # sign-ins queues up instead of failing with "database is locked" (a 500) half-way through.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and passwords -------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.TenantBackend"]
# The identifier is unique per tenant (a UniqueConstraint on tenant + identifier), not globally,
# and the only backend scopes every lookup to the tenant; auth.W004 warns about exactly that design.
SILENCED_SYSTEM_CHECKS = ["auth.W004"]
# Argon2id at OWASP's first profile (19 MiB, t=2, p=1), chosen on purpose: Django's default (100 MiB,
# p=8) allows about 7 sign-ins per second on a 2-core machine, too few for a vote's opening, while this
# one keeps the memory-hard cost per guess. Measured in benchmarks/signin.py; reasons in accounts/hashers.py.
# The second entry verifies hashes made with Django's default and re-hashes them at the next sign-in.
PASSWORD_HASHERS = [
    "accounts.hashers.PortailArgon2Hasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
# NIST SP 800-63B-4: length (15 by default, the tenant may ask more; up to 256 accepted), no composition
# rules, no expiry; refused when common or leaked (offline lists), when it holds the person's identifier
# or name or the tenant's name, or when it is one of the account's last passwords.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "accounts.password_validation.TenantLengthValidator"},
    {"NAME": "accounts.password_validation.CommonOrBreachedValidator"},
    {"NAME": "accounts.password_validation.PersonalContextValidator"},
    {"NAME": "accounts.password_history.PasswordHistoryValidator"},
]
# Links in mails (password reset, activation, e-mail confirmation) expire after one hour.
PASSWORD_RESET_TIMEOUT = 3600
# Sign-in throttle per client address, on top of the per-identifier lockout of each tenant.
PORTAIL_FAILURES_PER_ADDRESS = env.int("PORTAIL_FAILURES_PER_ADDRESS", default=30)
PORTAIL_FAILURES_ADDRESS_WINDOW = env.int("PORTAIL_FAILURES_ADDRESS_WINDOW", default=15 * 60)
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# --- Sessions and cookies ---------------------------------------------------------------------
# Django's cached-database sessions (Redis in front of the database), writing a new visitor's session
# once at sign-in instead of twice (accounts/sessions.py). Idle and absolute limits per tenant:
# accounts/middleware.py.
SESSION_ENGINE = "accounts.sessions"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=24 * 3600)
# How long the cache may serve a signed-in person's account row (accounts/user_state.py): every change
# drops it at once; this bounds only a change the cache could not be told about.
USER_STATE_SECONDS = env.int("USER_STATE_SECONDS", default=300)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "fr-ca"
LANGUAGES = [("fr-ca", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Our corrections to Django's formats come first (fr_CA's time: "14 h 09").
FORMAT_MODULE_PATH = ["portal.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "America/Toronto"

# --- Static and private files -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Private files (attachments, payslips) are never under STATIC_URL or a media URL: they are served
# only by views that check the tenant and the user. Embedded default: a local folder outside the web root.
PRIVATE_FILES_ROOT = env.path("PRIVATE_FILES_ROOT", default=BASE_DIR / "var" / "private")
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_FILES_ROOT), "base_url": None},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if env("AWS_STORAGE_BUCKET_NAME", default=""):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),
            "region_name": env("AWS_S3_REGION_NAME", default=None),
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 60,
            "file_overwrite": False,
        },
    }

# Conversation files (messaging.uploads): their own private storage, a folder under the private root
# by default, or the same bucket under "uploads/" when AWS_STORAGE_BUCKET_NAME is set. On S3 a download
# is a presigned URL that lives 5 minutes at most, issued after the access check.
PORTAIL_UPLOADS_ROOT = env.path("PORTAIL_UPLOADS_ROOT", default=f"{PRIVATE_FILES_ROOT}/uploads")
STORAGES["uploads"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": str(PORTAIL_UPLOADS_ROOT), "base_url": None},
}
if env("AWS_STORAGE_BUCKET_NAME", default=""):
    STORAGES["uploads"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **STORAGES["default"]["OPTIONS"],
            "location": env("AWS_UPLOADS_LOCATION", default="uploads"),
            "querystring_expire": 300,
            # Signature V4: the URL carries its lifetime (X-Amz-Expires), checked by the tests.
            "signature_version": "s3v4",
        },
    }
# Every file is scanned before anyone else can download it: by clamd over its socket (a path, or
# host:port) when set; otherwise only the EICAR test string is flagged (development and tests).
PORTAIL_CLAMD_SOCKET = env("PORTAIL_CLAMD_SOCKET", default="")
PORTAIL_CLAMD_TIMEOUT = env.int("PORTAIL_CLAMD_TIMEOUT", default=120)

# --- Cache and rate limits ----------------------------------------------------------------------
REDIS_CACHE_URL = env("REDIS_CACHE_URL", default="")
CACHES = {
    "default": (
        {"BACKEND": "portal.cache.PortailRedisCache", "LOCATION": REDIS_CACHE_URL}
        if REDIS_CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "portail"}
    )
}

# --- Tasks (Celery) -------------------------------------------------------------------------
# Embedded default: no broker, tasks run in the calling process (eager). Production: Redis.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
# Periodic jobs, run by `celery -A portal beat`.
CELERY_BEAT_SCHEDULE = {
    "purge-stale-sign-in-locks": {"task": "accounts.tasks.purge_stale_sign_in_locks", "schedule": 3600.0},
    "expire-conversation-messages": {"task": "messaging.tasks.expire_messages", "schedule": 3600.0},
    # Delivers the outbox rows no task took: broker down at commit, worker killed, retry lost.
    # A sweep not started within the minute is dropped, not piled up behind a stopped worker.
    "sweep-outbox": {"task": "portal.tasks.sweep_outbox", "schedule": 60.0, "options": {"expires": 60}},
}

# --- E-mail -------------------------------------------------------------------------------------
# Embedded default: mail is delivered to the development mailbox (a table shown at /_dev/mailbox/
# when DEBUG is on). Production: EMAIL_URL=smtp+tls://user:password@host:587.
if env("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "portal.email_backends.MailboxBackend"
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Portail <no-reply@portail.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = 20
# The mail pipeline (portal/tasks.py). Rows sent per task over one SMTP session:
MAIL_BATCH_SIZE = env.int("MAIL_BATCH_SIZE", default=100)
# Seconds a task's claim on its rows lasts (renewed while it sends). A row claimed by a killed
# worker is sent again by the sweep once the claim has lapsed. Keep it well above EMAIL_TIMEOUT.
MAIL_CLAIM_LEASE = env.int("MAIL_CLAIM_LEASE", default=300)
# Sent rows are marked in groups of this size: the most mails a killed worker can have sent
# without marking them, that is, sent twice. 1: only the mail in flight.
MAIL_MARK_SENT_EVERY = env.int("MAIL_MARK_SENT_EVERY", default=1)
# The sweep takes queued rows older than this (seconds) that no live claim holds ...
MAIL_SWEEP_AFTER = env.int("MAIL_SWEEP_AFTER", default=60)
# ... and works for at most this long per run (the beat starts one a minute).
MAIL_SWEEP_BUDGET = env.int("MAIL_SWEEP_BUDGET", default=50)

# --- Security headers -----------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Number of reverse proxies in front of the portal whose X-Forwarded-For can be trusted (0: none).
PORTAIL_TRUSTED_PROXY_HOPS = env.int("PORTAIL_TRUSTED_PROXY_HOPS", default=0)
