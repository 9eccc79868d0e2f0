"""Secure conversations in the help desk (docs/journeys.md#messaging-helpdesk): conversations by
number, dates, addresses and activity, never their title, words or files; resend a notification;
deactivate, reactivate and hand over collaborators. Every change goes through an audited action.
The platform admin grants the messaging administrator role."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.utils.html import format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from portal.admin_sites import AuditedModelAdmin, HelpDeskModelAdmin, helpdesk_site, platform_site

from . import actions
from .forms import handed_over_text
from .models import Activity, Collaborator, Conversation, MessagingAdministrator, Participation


class ActivityInline(admin.TabularInline):
    model = Activity
    fields = ["actor_label", "kind", "at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = _("activity history")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).filter(tenant=request.tenant)


@admin.register(Conversation, site=helpdesk_site)
class ConversationAdmin(HelpDeskModelAdmin):
    """What a conversation is, never what it says: the title, the messages and the files stay with
    its people (docs/journeys.md#messaging)."""

    helpdesk_can_change = False
    helpdesk_list_title = _("Secure conversations")
    helpdesk_row_title = _("A secure conversation")
    list_display = [
        "number",
        "holder_address",
        "collaborator_address",
        "read_only",
        "created_at",
        "last_activity_at",
    ]
    list_select_related = ["holder", "collaborator__persona"]
    list_filter = ["collaborator__is_active"]
    # An agent finds a conversation by an address the caller gives (exact, on an index).
    search_fields = ["=participations__persona__email"]
    search_help_text = _("The exact e-mail address of a participant or of the holder.")
    fields = [
        "number",
        "holder_address",
        "collaborator_address",
        "read_only",
        "participant_addresses",
        "created_at",
        "last_activity_at",
        "message_count",
    ]
    readonly_fields = fields
    inlines = [ActivityInline]
    actions = ["resend_notification"]
    show_full_result_count = False

    @admin.display(description=_("number"), ordering="pk")
    def number(self, obj):
        return f"#{obj.pk}"

    @admin.display(description=_("holder"), ordering="holder__email")
    def holder_address(self, obj):
        return obj.holder.email

    @admin.display(description=_("collaborator"))
    def collaborator_address(self, obj):
        return obj.collaborator.persona.email

    @admin.display(description=_("read-only"), boolean=True)
    def read_only(self, obj):
        return obj.is_read_only

    @admin.display(description=_("participants"))
    def participant_addresses(self, obj):
        rows = (
            Participation.objects.for_tenant(obj.tenant_id).filter(conversation=obj).select_related("persona")
        )
        return format_html_join(", ", "{}", ((row.persona.email,) for row in rows))

    def get_search_results(self, request, queryset, search_term):
        found, _duplicates = super().get_search_results(request, queryset, search_term.strip().lower())
        return found.distinct(), False

    def get_actions(self, request):
        found = super().get_actions(request)
        found.pop("delete_selected", None)
        return found

    @admin.action(description=_("Send the notification again to the participants"))
    def resend_notification(self, request, queryset):
        mails = 0
        for conversation in queryset.select_related("collaborator__persona", "tenant"):
            mails += actions.do_resend_notification(
                conversation=conversation, actor=request.user, request=request
            )
        self.message_user(
            request, ngettext("%(n)d notification sent.", "%(n)d notifications sent.", mails) % {"n": mails}
        )


class HandOverActionForm(ActionForm):
    successor = forms.EmailField(
        label=_("Successor's address (to hand over)"), required=False, max_length=254
    )


@admin.register(Collaborator, site=helpdesk_site)
class CollaboratorAdmin(HelpDeskModelAdmin):
    helpdesk_can_change = False
    helpdesk_list_title = _("Messaging collaborators")
    helpdesk_row_title = _("A messaging collaborator")
    list_display = ["address", "user", "is_active", "enabled_at", "deactivated_at", "successor_address"]
    list_select_related = ["persona", "user", "successor__persona"]
    list_filter = ["is_active"]
    search_fields = ["=persona__email"]
    fields = ["address", "user", "is_active", "enabled_at", "deactivated_at", "successor_address"]
    readonly_fields = fields
    actions = ["deactivate", "reactivate", "hand_over"]
    action_form = HandOverActionForm

    @admin.display(description=_("address"), ordering="persona__email")
    def address(self, obj):
        return obj.persona.email

    @admin.display(description=_("conversations handed over to"))
    def successor_address(self, obj):
        return obj.successor.persona.email if obj.successor_id else ""

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, search_term.strip().lower())

    def get_actions(self, request):
        found = super().get_actions(request)
        found.pop("delete_selected", None)
        return found

    @admin.action(description=_("Deactivate (their conversations turn read-only)"))
    def deactivate(self, request, queryset):
        for collaborator in queryset:
            actions.do_deactivate_collaborator(collaborator=collaborator, actor=request.user, request=request)
        self.message_user(request, gettext("Done."))

    @admin.action(description=_("Reactivate"))
    def reactivate(self, request, queryset):
        for collaborator in queryset:
            actions.do_reactivate_collaborator(collaborator=collaborator, actor=request.user, request=request)
        self.message_user(request, gettext("Done."))

    @admin.action(description=_("Hand their conversations over to the successor typed below"))
    def hand_over(self, request, queryset):
        email = actions.normalise_email(request.POST.get("successor", ""))
        successor = (
            Collaborator.objects.for_tenant(request.tenant)
            .filter(persona__email=email, is_active=True)
            .select_related("persona")
            .first()
        )
        if successor is None:
            self.message_user(request, gettext("Type the address of an active collaborator."), messages.ERROR)
            return
        for collaborator in queryset.select_related("tenant"):
            try:
                count = actions.do_hand_over_conversations(
                    collaborator=collaborator, successor=successor, actor=request.user, request=request
                )
            except actions.Refused as refused:
                self.message_user(request, refused.message, messages.ERROR)
                continue
            self.message_user(
                request, handed_over_text(count, collaborator=collaborator, successor=successor)
            )


class MessagingAdministratorForm(forms.ModelForm):
    class Meta:
        model = MessagingAdministrator
        fields = ["tenant", "user"]

    def clean(self):
        data = super().clean()
        user, tenant = data.get("user"), data.get("tenant")
        if user is not None and tenant is not None and user.tenant_id != tenant.pk:
            raise forms.ValidationError(gettext("The account must belong to this tenant."))
        return data


@admin.register(MessagingAdministrator, site=platform_site)
class MessagingAdministratorAdmin(AuditedModelAdmin):
    """The platform admin grants and withdraws the role (each audited in the tenant's log)."""

    list_display = ["user", "tenant", "granted_at"]
    list_filter = ["tenant"]
    list_select_related = ["user", "tenant"]
    raw_id_fields = ["user"]
    form = MessagingAdministratorForm
