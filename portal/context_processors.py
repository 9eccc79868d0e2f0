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


def cached_reverse(name: str) -> str:
    """reverse(name) for the current urlconf, tenant prefix and language, computed once per process."""
    return _reverse(name, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), get_language())


class _BaseUrls:
    """`base_urls.home` in a template: the base template's addresses, reversed on first use only."""

    def __getitem__(self, key):
        return cached_reverse(BASE_URLS[key])


def _navigation(tenant) -> list[dict]:
    """The signed-in person's menu: the entries of every module that is on for the tenant."""
    return [
        {"label": entry.label, "url": cached_reverse(entry.url_name)}
        for module in all_modules()
        if is_on(tenant, module)
        for entry in module.navigation
    ]


def tenant(request):
    current = get_language()
    tenant = getattr(request, "tenant", None)
    return {
        "tenant": tenant,
        "base_urls": _BaseUrls(),
        "module_navigation": SimpleLazyObject(lambda: _navigation(tenant)) if tenant else [],
        # Each language is offered under its own name ("English", "Français"), as people look for it.
        "other_languages": [(code, name) for code, name in settings.LANGUAGES if code != current],
    }
