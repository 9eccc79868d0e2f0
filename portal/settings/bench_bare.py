"""The baseline of benchmarks/run.py: Django with no middleware, no apps, no database, one view."""

DEBUG = False
SECRET_KEY = "bench-bare-only-key-never-deployed-0123456789-abcdefghijklmnopqrstuvwxyz"
ALLOWED_HOSTS = ["127.0.0.1"]
INSTALLED_APPS = []
MIDDLEWARE = []
ROOT_URLCONF = "benchmarks.bare_urls"
DATABASES = {}
USE_TZ = True
