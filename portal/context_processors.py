from django.conf import settings
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language

from .modules import all_modules, is_on


def _navigation(tenant) -> list[dict]:
    """The signed-in person's menu: the entries of every module that is on for the tenant."""
    return [
        {"label": entry.label, "url": reverse(entry.url_name)}
        for module in all_modules()
        if is_on(tenant, module)
        for entry in module.navigation
    ]


def tenant(request):
    current = get_language()
    tenant = getattr(request, "tenant", None)
    return {
        "tenant": tenant,
        "module_navigation": SimpleLazyObject(lambda: _navigation(tenant)) if tenant else [],
        # Each language is offered under its own name ("English", "Français"), as people look for it.
        "other_languages": [(code, name) for code, name in settings.LANGUAGES if code != current],
    }
