"""Embedded defaults for one machine with no services: SQLite, eager tasks, development mailbox."""

import os

os.environ.setdefault("DEBUG", "true")
# A development-only key, so that `./dev run` works with nothing configured. Production has no default.
os.environ.setdefault("SECRET_KEY", "insecure-development-key-only-for-the-embedded-defaults-0123456789")

from .base import *  # noqa: E402,F403
