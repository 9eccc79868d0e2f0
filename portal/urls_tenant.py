"""Addresses under /<tenant-slug>/. portal.tenancy.TenantMiddleware has set request.tenant."""

from django.urls import include, path

from . import views
from .admin_sites import helpdesk_site

urlpatterns = [
    path("", views.tenant_home, name="home"),
    path("theme.css", views.tenant_theme, name="theme"),
    path("admin/", helpdesk_site.urls),
    path("i18n/setlang/", views.switch_language, name="set_language"),
    path("", include("accounts.urls")),
    path("self-service/", include("accounts.selfservice.urls")),
]
