"""The peer of benchmarks/inbox.py: django-postman 4.6 (the `bench` extra) on plain Django, with the
same PostgreSQL and Redis configuration as portal.settings.bench (its own database, and the bench's
Redis database 9 under its own key prefix), sessions as the portal keeps them. Never deployed."""

import os

from .bench import CACHES as _PORTAL_CACHES
from .bench import DATABASES as _PORTAL_DATABASES

DEBUG = False
SECRET_KEY = "bench-postman-only-key-never-deployed-0123456789-abcdefghijklmnopqrstuvwxyz"
ALLOWED_HOSTS = ["127.0.0.1"]
ROOT_URLCONF = "benchmarks.postman_peer.urls"
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "benchmarks.postman_peer",
    "postman",
]
# Django's default stack (startproject), as for benchmarks/peer.
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            # Postman's folders are designed for dj-pagination; without it they list every conversation.
            # The portal's inbox shows 10 a page: this stand-in pages postman's 10 a page too.
            "libraries": {"pagination_tags": "benchmarks.postman_peer.templatetags.pages"},
        },
    }
]
BENCH_DATABASE_NAME = os.environ.get("PORTAIL_BENCH_POSTMAN_DB", "portail_bench_inbox_postman")
DATABASES = {"default": {**_PORTAL_DATABASES["default"], "NAME": BENCH_DATABASE_NAME}}
BENCH_REDIS_CACHE_URL = os.environ.get("PORTAIL_BENCH_REDIS", "redis://127.0.0.1:6379/14")
CACHES = {
    "default": {**_PORTAL_CACHES["default"], "LOCATION": BENCH_REDIS_CACHE_URL, "KEY_PREFIX": "postman"}
}
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
USE_I18N = False
STATIC_URL = "/static/"
POSTMAN_AUTO_MODERATE_AS = True
POSTMAN_DISABLE_USER_EMAILING = True
# The stand-in above replaces postman's own do-nothing `pagination_tags` on purpose.
SILENCED_SYSTEM_CHECKS = ["templates.W003"]
