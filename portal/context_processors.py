from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language

from .modules import all_modules, is_on

# The addresses the base template links to on every page, by the name the template uses.
BASE_URLS = {
    "home": "home",
    "theme": "theme",
    "set_language": "set_language",
    "login": "accounts:login",
    "logout": "accounts:logout",
    "privacy": "accounts:privacy",
    "helpdesk": "helpdesk:index",
}


@lru_cache(maxsize=1024)
def _reverse(name: str, urlconf: str, script_prefix: str, language: str) -> str:
    # A reversed address depends only on these four (the tenant is in the urlconf and the prefix),
    # and URL patterns do not change while a process runs: reversing once per process is enough.
    return reverse(name, urlconf=urlconf)


def _where() -> tuple[str, str, str]:
    return get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), get_language()


def cached_reverse(name: str) -> str:
    """reverse(name) for the current urlconf, tenant prefix and language, computed once per process."""
    return _reverse(name, *_where())


class _BaseUrls:
    """`base_urls.home` in a template: the base template's addresses, reversed on first use only."""

    def __init__(self, where):
        self.where = where

    def __getitem__(self, key):
        return _reverse(BASE_URLS[key], *self.where)


def _navigation(tenant, where) -> list[dict]:
    """The signed-in person's menu: the entries of every module that is on for the tenant."""
    return [
        {"label": entry.label, "url": _reverse(entry.url_name, *where)}
        for module in all_modules()
        if is_on(tenant, module)
        for entry in module.navigation
    ]


def tenant(request):
    current = get_language()
    tenant = getattr(request, "tenant", None)
    where = _where()  # the template is rendered where the view runs: in the tenant's urlconf and prefix
    return {
        "tenant": tenant,
        "base_urls": _BaseUrls(where),
        "module_navigation": SimpleLazyObject(lambda: _navigation(tenant, where)) if tenant else [],
        # Each language is offered under its own name ("English", "Français"), as people look for it.
        "other_languages": [(code, name) for code, name in settings.LANGUAGES if code != current],
    }
