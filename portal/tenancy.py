"""The tenancy layer: path-prefix routing, request.tenant, tenant-scoped querysets, tenant URLs.

A request to /<slug>/rest resolves the tenant once, then runs against TENANT_URLCONF with
path_info=/rest and the script prefix /<slug>/, so every reverse() inside the request yields the
tenant's own addresses and Django's admin works unchanged under /<slug>/admin/.
"""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.http import Http404, HttpResponsePermanentRedirect
from django.urls import get_script_prefix, reverse, set_script_prefix
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

# First path segments the platform itself uses; no tenant may take them.
RESERVED_SLUGS = frozenset({"admin", "static", "media", "i18n", "_dev", "api", "health", "accounts"})

# URL namespaces that belong to a module a tenant may switch off.
MODULE_NAMESPACES = {
    "selfservice": "accounts",
    "messaging": "messaging",
    "vault": "vault",
    "voting": "voting",
}


class TenantScopedQuerySet(models.QuerySet):
    def for_tenant(self, tenant):
        """Every read of a tenant-owned row on behalf of a request starts here."""
        if tenant is None:
            raise ValueError("for_tenant() needs a tenant; platform-wide reads are explicit.")
        return self.filter(tenant=tenant)


def active_tenant(slug: str):
    from .models import Tenant

    return Tenant.objects.filter(slug=slug, is_active=True).first()


def tenant_url(tenant, viewname: str, *, kwargs=None, query: str = "") -> str:
    """The absolute address of a tenant page, from the configured base URL, never the Host header."""
    path = reverse(viewname, urlconf=settings.TENANT_URLCONF, kwargs=kwargs)
    path = path[len(get_script_prefix()) :]
    url = f"{settings.PORTAIL_BASE_URL}/{tenant.slug}/{path}"
    return f"{url}?{query}" if query else url


class TenantMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.tenant = None
        path = request.path_info
        slug, sep, rest = path.lstrip("/").partition("/")
        if not slug or slug in RESERVED_SLUGS:
            return self.get_response(request)
        tenant = active_tenant(slug)
        if tenant is None:
            return self.get_response(request)  # the platform urlconf answers 404
        if not sep:
            return HttpResponsePermanentRedirect(f"{request.path}/")

        request.tenant = tenant
        request.urlconf = settings.TENANT_URLCONF
        request.path_info = "/" + rest
        previous_prefix = get_script_prefix()
        set_script_prefix(f"{previous_prefix.rstrip('/')}/{slug}/")
        timezone.activate(tenant.time_zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
            set_script_prefix(previous_prefix)

    def process_view(self, request, view_func, view_args, view_kwargs):
        tenant = request.tenant
        if tenant is None or request.resolver_match is None:
            return None
        for namespace in request.resolver_match.namespaces:
            module = MODULE_NAMESPACES.get(namespace)
            if module and not tenant.has_module(module):
                raise Http404
        return None


class TenantUserMiddleware:
    """Accounts belong to one tenant. A session signed in on tenant A is anonymous on tenant B
    (and on the platform pages), so a cookie never carries an identity across organisations."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        signed_in = request.user  # lazy: nothing is loaded unless a page asks

        def scoped_user():
            tenant_id = request.tenant.pk if request.tenant else None
            if signed_in.is_authenticated and signed_in.tenant_id != tenant_id:
                return AnonymousUser()
            return signed_in

        request.user = SimpleLazyObject(scoped_user)

        async def auser():
            return request.user

        request.auser = auser
        return self.get_response(request)
