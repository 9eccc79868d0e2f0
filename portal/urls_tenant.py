"""Addresses under /<tenant-slug>/. portal.tenancy.TenantMiddleware has set request.tenant.

Every module's addresses are routed for every tenant; the middleware answers 404 under the namespace
of a module the tenant has not switched on."""

from django.urls import include, path

from . import views
from .admin_sites import helpdesk_site
from .modules import all_modules


def module_urlpatterns() -> list:
    """Each module's URL module, under its prefix and namespace, as its AppConfig declares."""
    return [
        path(module.url_prefix, include(module.urls, namespace=module.namespace))
        for module in all_modules()
        if module.urls
    ]


def tenant_urlpatterns() -> list:
    return [
        path("", views.tenant_home, name="home"),
        path("theme.css", views.tenant_theme, name="theme"),
        path("admin/", helpdesk_site.urls),
        path("i18n/setlang/", views.switch_language, name="set_language"),
        *module_urlpatterns(),
    ]


urlpatterns = tenant_urlpatterns()
