"""Test settings: fast hasher, eager tasks, in-memory mail. Tests that check hashing, the mail
pipeline or the worker override these and say so in their name."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ")
os.environ.setdefault("DEBUG", "false")

from .base import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Eager even when a broker is configured: only the worker tests publish to Redis, and say so.
CELERY_TASK_ALWAYS_EAGER = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}
# Serve static files from the apps' folders, as in development: the suite never runs collectstatic.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not SQLite's shared in-memory database: the tests that send parallel requests need the
    # file's locking (a writer waits for the lock), which the shared cache answers with an error.
    import tempfile

    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(tempfile.gettempdir(), f"portail-test-{os.getpid()}.sqlite3")
    }
    # A test database need not survive a power cut: no waiting for the disk on every commit.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = (  # noqa: F405
        "PRAGMA synchronous=OFF; PRAGMA journal_mode=WAL"
    )
