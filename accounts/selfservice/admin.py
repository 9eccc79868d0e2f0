"""The help desk's side of self-service: the question catalogue, verifying a caller with the help-desk
questions (helpdesk.py, wired into the user admin), disabling forgotten questions, removing a lost
device. Every list is the agent's tenant only; account links are shown to no help desk (they span
tenants)."""

from django.contrib import admin
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.admin_sites import HelpDeskModelAdmin, helpdesk_site

from . import actions
from .models import AuthenticatorDevice, SecurityQuestion


@admin.register(SecurityQuestion, site=helpdesk_site)
class SecurityQuestionAdmin(HelpDeskModelAdmin):
    """The tenant's catalogue (seed 000 step 10). A question that people answered cannot be deleted,
    only withdrawn ("offered" off), so nobody loses a way to recover."""

    helpdesk_can_add = True
    list_display = ["text_fr", "text_en", "min_length", "max_length", "is_active", "position"]
    list_editable = ["is_active", "position"]
    fields = ["text_fr", "text_en", "min_length", "max_length", "is_active", "position"]


@admin.register(AuthenticatorDevice, site=helpdesk_site)
class AuthenticatorDeviceAdmin(HelpDeskModelAdmin):
    """Mobile devices of the tenant's people. The help desk removes a lost one; it never sees a key."""

    helpdesk_can_change = False
    helpdesk_can_delete = True
    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    list_select_related = ["user"]
    search_fields = ["user__identifier", "user__last_name", "name"]
    fields = ["user", "name", "confirmed", "created_at", "last_used_at"]
    readonly_fields = fields
    actions = ["remove_devices"]

    def get_actions(self, request):
        found = super().get_actions(request)
        found.pop("delete_selected", None)  # removal goes through the audited action with its notice
        return found

    @admin.action(description=_("Remove the selected devices (lost or replaced)"))
    def remove_devices(self, request, queryset):
        count = 0
        with transaction.atomic():
            for device in queryset.select_related("user__tenant"):
                actions.do_remove_device(device=device, actor=request.user, request=request)
                count += 1
        self.message_user(
            request,
            ngettext(
                "%(n)d device removed; its owner was told by e-mail.",
                "%(n)d devices removed; their owners were told by e-mail.",
                count,
            )
            % {"n": count},
        )

    def delete_model(self, request, obj):
        actions.do_remove_device(device=obj, actor=request.user, request=request)
