"""Benchmark settings (benchmarks/run.py): the production stack without TLS, on a throw-away
PostgreSQL database and a Redis cache database of its own. Never for a real deployment."""

import os
import warnings

# base.py refuses to start without a key; the bench has its own, set again below.
os.environ.setdefault("SECRET_KEY", "bench-only-key-never-deployed-0123456789-abcdefghijklmnopqrstuvwxyz")

from .base import *  # noqa: E402,F403
from .base import env  # noqa: E402

DEBUG = False
SECRET_KEY = "bench-only-key-never-deployed-0123456789-abcdefghijklmnopqrstuvwxyz"
ALLOWED_HOSTS = ["127.0.0.1"]
PORTAIL_BASE_URL = "http://127.0.0.1"

# benchmarks/run.py drops and recreates this database on every run (PORTAIL_BENCH_DB and
# PORTAIL_BENCH_REDIS let two benchmarks run at once on one machine).
BENCH_DATABASE_NAME = os.environ.get("PORTAIL_BENCH_DB", "portail_bench")
DATABASES = {
    "default": {
        **env.db_url_config(f"postgres://postgres@127.0.0.1:5432/{BENCH_DATABASE_NAME}"),
        "ENGINE": "portal.postgresql",  # as in production (base.py)
        "ATOMIC_REQUESTS": False,
        "CONN_MAX_AGE": 60,  # as in production
        "CONN_HEALTH_CHECKS": True,  # as in production
    }
}
BENCH_REDIS_CACHE_URL = os.environ.get("PORTAIL_BENCH_REDIS", "redis://127.0.0.1:6379/14")
CACHES = {"default": {"BACKEND": "portal.cache.PortailRedisCache", "LOCATION": BENCH_REDIS_CACHE_URL}}

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

# The bench does not run collectstatic: nothing under STATIC_ROOT is requested, so do not warn about it.
warnings.filterwarnings("ignore", message="No directory at: .*staticfiles")
