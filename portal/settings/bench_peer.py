"""The peer of benchmarks/run.py: plain Django with sessions, auth, CSRF, messages and one template,
on the same PostgreSQL and Redis configuration as portal.settings.bench (its own database and Redis
database), so that the tenant page is compared with what Django alone costs. Never deployed."""

import os

from .bench import CACHES as _PORTAL_CACHES
from .bench import DATABASES as _PORTAL_DATABASES

DEBUG = False
SECRET_KEY = "bench-peer-only-key-never-deployed-0123456789-abcdefghijklmnopqrstuvwxyz"
ALLOWED_HOSTS = ["127.0.0.1"]
ROOT_URLCONF = "benchmarks.peer.urls"
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "benchmarks.peer",
]
# Django's default stack (startproject), less nothing.
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
        },
    }
]
BENCH_DATABASE_NAME = os.environ.get("PORTAIL_BENCH_PEER_DB", "portail_bench_peer")
DATABASES = {
    # Django's own backend and its health check (a SELECT 1 before each request's first query).
    "default": {
        **_PORTAL_DATABASES["default"],
        "NAME": BENCH_DATABASE_NAME,
        "ENGINE": "django.db.backends.postgresql",
    },
}
# The same Redis server and client as the portal, database 13; sessions as the portal keeps them
# (cached_db: Redis first, PostgreSQL behind), with Django's own store.
BENCH_REDIS_CACHE_URL = os.environ.get("PORTAIL_BENCH_PEER_REDIS", "redis://127.0.0.1:6379/13")
CACHES = {"default": {**_PORTAL_CACHES["default"], "LOCATION": BENCH_REDIS_CACHE_URL}}
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# Django's default hasher: the peer signs in once per run, its cost is not measured.
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
USE_I18N = False
