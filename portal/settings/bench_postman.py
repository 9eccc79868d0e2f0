"""The peer of benchmarks/inbox.py: django-postman 4.6 (the `bench` extra) on the plain Django of
portal.settings.bench_peer (the same middleware, template options, PostgreSQL and Redis configuration,
sessions as the portal keeps them), with its own database and the bench's Redis database under its
own key prefix. Never deployed."""

import copy
import os

from .bench import CACHES as _PORTAL_CACHES
from .bench import DATABASES as _PORTAL_DATABASES
from .bench_peer import *  # noqa: F403
from .bench_peer import INSTALLED_APPS as _PEER_APPS
from .bench_peer import TEMPLATES as _PEER_TEMPLATES

SECRET_KEY = "bench-postman-only-key-never-deployed-0123456789-abcdefghijklmnopqrstuvwxyz"
ROOT_URLCONF = "benchmarks.postman_peer.urls"
INSTALLED_APPS = [app for app in _PEER_APPS if app != "benchmarks.peer"] + [
    "benchmarks.postman_peer",
    "postman",
]
TEMPLATES = copy.deepcopy(_PEER_TEMPLATES)
# Postman's folders are designed for dj-pagination; without it they list every conversation. The
# portal's inbox shows 10 a page: this stand-in pages postman's 10 a page too.
TEMPLATES[0]["OPTIONS"]["libraries"] = {"pagination_tags": "benchmarks.postman_peer.templatetags.pages"}
BENCH_DATABASE_NAME = os.environ.get("PORTAIL_BENCH_POSTMAN_DB", "portail_bench_inbox_postman")
DATABASES = {"default": {**_PORTAL_DATABASES["default"], "NAME": BENCH_DATABASE_NAME}}
BENCH_REDIS_CACHE_URL = os.environ.get("PORTAIL_BENCH_REDIS", "redis://127.0.0.1:6379/14")
CACHES = {
    "default": {**_PORTAL_CACHES["default"], "LOCATION": BENCH_REDIS_CACHE_URL, "KEY_PREFIX": "postman"}
}
STATIC_URL = "/static/"
POSTMAN_AUTO_MODERATE_AS = True
POSTMAN_DISABLE_USER_EMAILING = True
# The stand-in above replaces postman's own do-nothing `pagination_tags` on purpose.
SILENCED_SYSTEM_CHECKS = ["templates.W003"]
