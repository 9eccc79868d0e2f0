"""The tenant urlconf with the upload endpoints mounted as the conversations will mount them, under
the messaging module's namespace, so these tests do not wait for the conversation pages."""

from django.urls import include, path

from portal.urls_tenant import tenant_urlpatterns

urlpatterns = [
    path("messaging/", include(([path("files/", include("messaging.uploads.urls"))], "messaging"))),
    *tenant_urlpatterns(),
]
