"""Platform addresses. Tenant pages (/<slug>/…) resolve against portal.urls_tenant."""

from django.urls import path

from . import views
from .admin_sites import platform_site

urlpatterns = [
    path("", views.platform_home, name="home"),
    path("admin/", platform_site.urls),
    path("i18n/setlang/", views.switch_language, name="set_language"),
    path("_dev/mailbox/", views.dev_mailbox, name="dev_mailbox"),
    path("_dev/mailbox/<int:message_id>/", views.dev_mailbox_message, name="dev_mailbox_message"),
]
