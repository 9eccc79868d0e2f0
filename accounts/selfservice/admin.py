"""The help desk's side of self-service: the question catalogue, verifying a caller with the help-desk
questions and disabling forgotten questions (helpdesk.py, wired into the help desk's user admin, which
this module registers in place of the core's). The core's admin removes a lost device. Every list is
the agent's tenant only; account links are shown to no help desk (they span tenants)."""

from django.contrib import admin
from django.urls import path
from django.utils.translation import gettext_lazy as _

from accounts.admin import HelpDeskUserAdmin
from accounts.models import User
from portal.admin_sites import HelpDeskModelAdmin, helpdesk_site

from . import helpdesk
from .models import SecurityQuestion


@admin.register(SecurityQuestion, site=helpdesk_site)
class SecurityQuestionAdmin(HelpDeskModelAdmin):
    """The tenant's catalogue (docs/journeys.md#helpdesk-catalogue). A question that people answered
    cannot be deleted, only withdrawn ("offered" off), so nobody loses a way to recover."""

    helpdesk_can_add = True
    helpdesk_add_title = _("Add a security question")
    list_display = ["text_fr", "text_en", "min_length", "max_length", "is_active", "position"]
    list_editable = ["is_active", "position"]
    fields = ["text_fr", "text_en", "min_length", "max_length", "is_active", "position"]


class SelfServiceUserAdmin(HelpDeskUserAdmin):
    """The core's user admin, with self-service's part where the tenant has the module: forgotten
    questions, the person's summary, the caller check. Elsewhere it is the core's admin as it was."""

    actions = [*HelpDeskUserAdmin.actions, helpdesk.disable_questions]
    fields = [*HelpDeskUserAdmin.fields, "self_service"]
    readonly_fields = [*HelpDeskUserAdmin.readonly_fields, "self_service"]
    self_service = staticmethod(helpdesk.self_service_summary)

    @staticmethod
    def _self_service_on(request):
        return request.tenant is not None and request.tenant.has_module("selfservice")

    def get_actions(self, request):
        found = super().get_actions(request)
        if not self._self_service_on(request):
            found.pop(helpdesk.disable_questions.__name__, None)
        return found

    def get_fields(self, request, obj=None):
        found = super().get_fields(request, obj)
        return found if self._self_service_on(request) else [f for f in found if f != "self_service"]

    def get_readonly_fields(self, request, obj=None):
        found = super().get_readonly_fields(request, obj)
        return found if self._self_service_on(request) else [f for f in found if f != "self_service"]

    def get_urls(self):
        check = self.admin_site.admin_view(
            lambda request, object_id: helpdesk.verify_caller(self, request, object_id)
        )
        own = [path("<path:object_id>/verify-caller/", check, name="accounts_user_verify_caller")]
        return own + super().get_urls()


helpdesk_site.unregister(User)
helpdesk_site.register(User, SelfServiceUserAdmin)
