from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.functional import SimpleLazyObject
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from .context_processors import cached_reverse
from .models import MailboxMessage, Tenant
from .modules import enabled_modules
from .signals import language_chosen


def platform_home(request):
    tenants = Tenant.objects.filter(is_active=True)
    return render(request, "portal/platform_home.html", {"tenants": tenants})


def _cards(tenant) -> list[dict]:
    return [
        {
            "name": module.name,
            "description": module.description,
            "url": cached_reverse(module.entry_url) if module.entry_url else "",
        }
        for module in enabled_modules(tenant)
    ]


def tenant_home(request):
    # Addresses reversed once per process (cached_reverse): this is the page people land on. The cards
    # are the same for every person of the tenant ({% per_tenant "cards" %}): listed only when the part
    # is rendered, not on every request.
    tenant = request.tenant
    cards = SimpleLazyObject(lambda: _cards(tenant))
    urls = {"profile": cached_reverse("accounts:profile")}
    if request.user.is_authenticated and request.user.email and not request.user.email_verified:
        urls["send_verification"] = cached_reverse("accounts:send_verification")
    return render(request, "portal/tenant_home.html", {"cards": cards, "urls": urls})


@cache_control(max_age=300)
def tenant_theme(request):
    css = f":root {{ --accent: {request.tenant.accent_colour}; }}\n"
    return HttpResponse(css, content_type="text/css; charset=utf-8")


@require_POST
def switch_language(request):
    """Django's set_language. A signed-in person's choice is announced (portal.signals.language_chosen),
    so the app that owns the accounts remembers it on the account, with its audit entry: the portal
    does not write accounts."""
    response = set_language(request)
    language = request.POST.get("language")
    user = request.user
    if user.is_authenticated and language in dict(settings.LANGUAGES) and user.preferred_language != language:
        language_chosen.send(sender=switch_language, request=request, user=user, language=language)
    return response


def _require_debug():
    if not settings.DEBUG:
        raise Http404


def dev_mailbox(request):
    _require_debug()
    messages = MailboxMessage.objects.all()[:100]
    return render(request, "portal/dev_mailbox.html", {"mailbox": messages})


def dev_mailbox_message(request, message_id):
    _require_debug()
    message = get_object_or_404(MailboxMessage, pk=message_id)
    return render(request, "portal/dev_mailbox_message.html", {"message": message})
