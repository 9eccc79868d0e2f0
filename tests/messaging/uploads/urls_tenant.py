"""The tenant urlconf as served: the conversations mount the upload endpoints at /<slug>/messages/files/
(messaging/urls.py), in the messaging module's namespace."""

from portal.urls_tenant import urlpatterns  # noqa: F401
