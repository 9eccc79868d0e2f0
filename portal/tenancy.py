"""The tenancy layer: path-prefix routing, request.tenant, tenant-scoped querysets, tenant URLs.

A request to /<slug>/rest resolves the tenant once, then runs against TENANT_URLCONF with
path_info=/rest and the script prefix /<slug>/, so every reverse() inside the request yields the
tenant's own addresses and Django's admin works unchanged under /<slug>/admin/.
"""

import time

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.db.models.base import ModelState
from django.http import Http404, HttpResponsePermanentRedirect
from django.urls import get_script_prefix, reverse, set_script_prefix
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from .modules import is_on, module_for_namespace, settings_accessors

# First path segments the platform itself uses; no tenant may take them.
RESERVED_SLUGS = frozenset({"admin", "static", "media", "i18n", "_dev", "api", "health", "accounts"})


class TenantScopedQuerySet(models.QuerySet):
    def for_tenant(self, tenant):
        """Every read of a tenant-owned row on behalf of a request starts here."""
        if tenant is None:
            raise ValueError("for_tenant() needs a tenant; platform-wide reads are explicit.")
        return self.filter(tenant=tenant)


class TenantDirectory:
    """The active tenants by slug, kept per process and reloaded at most every TENANT_CACHE_SECONDS.

    Every request needs its tenant; one query for all of them every half-minute costs far less than
    one query per request (benchmarks/README.md). A change saved in this process is seen at once;
    other processes see it within TENANT_CACHE_SECONDS."""

    def __init__(self):
        self._by_slug = {}
        self._loaded_at = None
        # Counts the reloads: what is rendered once per tenant (portal.templatetags.per_tenant) is kept
        # under the generation of the tenant it was rendered from.
        self.generation = 0

    def get(self, slug: str):
        from .models import Tenant

        def active():
            # Each module's settings come with the tenant, so reading them costs no query on any page.
            # Built only when the directory reloads: making a queryset costs more than this whole lookup.
            return Tenant.objects.filter(is_active=True).select_related(*settings_accessors())

        ttl = settings.TENANT_CACHE_SECONDS
        if ttl <= 0:
            return active().filter(slug=slug).first()
        now = time.monotonic()
        if self._loaded_at is None or now - self._loaded_at >= ttl:
            self._by_slug = {t.slug: t for t in active()}
            self._loaded_at = now
            self.generation += 1
        tenant = self._by_slug.get(slug)
        if tenant is None:
            return None
        # A copy per request, so that nothing a request does to its tenant reaches the next one.
        clone = _copy_with_settings(tenant)
        clone.directory_generation = self.generation
        return clone

    def clear(self, **kwargs):
        self._loaded_at = None


tenant_directory = TenantDirectory()


def _copy(instance):
    """copy.copy() of a model instance, as Model.__getstate__ makes it (its own state and cache of
    related rows, the rows themselves shared), without the pickling protocol's detour through
    Model.__reduce__ and __setstate__: about 1 µs instead of 5, four times a request."""
    state = ModelState.__new__(ModelState)
    state.__dict__.update(instance._state.__dict__)
    state.fields_cache = instance._state.fields_cache.copy()
    clone = instance.__class__.__new__(instance.__class__)
    clone.__dict__.update(instance.__dict__)
    clone._state = state
    return clone


def _copy_with_settings(tenant):
    """The tenant and the settings rows loaded with it, copied (a plain copy would share the rows)."""
    clone = _copy(tenant)
    cache = clone._state.fields_cache
    for accessor in settings_accessors():
        row = cache.get(accessor)
        if row is not None:
            row = cache[accessor] = _copy(row)
            row._state.fields_cache["tenant"] = clone
    return clone


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
        tenant = tenant_directory.get(slug)
        if tenant is None:
            return self.get_response(request)  # the platform urlconf answers 404
        if not sep:
            return HttpResponsePermanentRedirect(request.get_full_path(force_append_slash=True))

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
        # A module the tenant has not switched on has no address there.
        for namespace in request.resolver_match.namespaces:
            if not is_on(tenant, module_for_namespace(namespace)):
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
            tenant = request.tenant
            if not signed_in.is_authenticated:
                return signed_in
            if signed_in.tenant_id != (tenant.pk if tenant else None):
                return AnonymousUser()
            if tenant is not None:
                signed_in.tenant = tenant  # already loaded: no second query for user.tenant
            return signed_in

        request.user = SimpleLazyObject(scoped_user)

        async def auser():
            return request.user

        request.auser = auser
        return self.get_response(request)
