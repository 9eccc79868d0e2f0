from django.conf import settings
from django.utils.translation import get_language


def tenant(request):
    current = get_language()
    return {
        "tenant": getattr(request, "tenant", None),
        # Each language is offered under its own name ("English", "Français"), as people look for it.
        "other_languages": [(code, name) for code, name in settings.LANGUAGES if code != current],
    }
