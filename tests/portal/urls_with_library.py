"""The tenant urlconf, built while the test-only library module is installed."""

from portal.urls_tenant import tenant_urlpatterns

urlpatterns = tenant_urlpatterns()
