"""The tenant urlconf plus a page in the messaging namespace, to test module gating."""

from django.http import HttpResponse
from django.urls import include, path

from portal.urls_tenant import urlpatterns as tenant_patterns


def conversation_list(request):
    return HttpResponse(f"conversations of {request.tenant.slug}")


def current_time_zone(request):
    from django.utils import timezone

    return HttpResponse(timezone.get_current_timezone_name())


urlpatterns = [
    path("tz/", current_time_zone),
    path("messages/", include(([path("", conversation_list, name="list")], "messaging"))),
    *tenant_patterns,
]
