from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .admin_sites import (
    AuditedModelAdmin,
    HelpDeskModelAdmin,
    ReadOnlyAdminMixin,
    helpdesk_site,
    platform_site,
)
from .models import AuditEntry, OutboundEmail, Tenant


@admin.register(Tenant, site=platform_site)
class TenantAdmin(AuditedModelAdmin):
    list_display = [
        "slug",
        "name_fr",
        "name_en",
        "is_active",
        "module_accounts",
        "module_messaging",
        "module_vault",
        "module_voting",
    ]
    list_filter = ["is_active"]
    search_fields = ["slug", "name_fr", "name_en"]
    fieldsets = [
        (None, {"fields": ["slug", "name_fr", "name_en", "is_active"]}),
        (_("Modules"), {"fields": ["module_accounts", "module_messaging", "module_vault", "module_voting"]}),
        (
            _("Sign-in and branding"),
            {
                "fields": [
                    "sign_in_with",
                    "accent_colour",
                    "helpdesk_fr",
                    "helpdesk_en",
                    "identifier_hint_fr",
                    "identifier_hint_en",
                    "notice_fr",
                    "notice_en",
                ]
            },
        ),
        (
            _("Recovery paths"),
            {
                "fields": [
                    "allow_password_reset",
                    "allow_lost_identifier",
                    "allow_member_activation",
                    "allow_email_registration",
                ]
            },
        ),
        (
            _("Password self-service"),
            {
                "description": _(
                    "How people prove who they are when they forgot their password: security questions, "
                    "a mobile device (authenticator app), an employee number with PIN, or identity data."
                ),
                "fields": [
                    "recovery_proof_alone",
                    "device_policy",
                    "security_question_count",
                    "helpdesk_question_count",
                ],
            },
        ),
        (
            _("Policies"),
            {
                "fields": [
                    "password_min_length",
                    "password_history_count",
                    "lockout_threshold",
                    "lockout_minutes",
                    "session_idle_minutes",
                    "session_max_hours",
                    "message_expiry_days",
                    "time_zone",
                ]
            },
        ),
    ]

    added_action = "tenant.created"

    def audit_tenant(self, request, obj):
        return obj


class AuditEntryAdminBase(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "action_label", "actor_label", "target_label", "ip_address"]
    list_filter = ["action"]
    search_fields = ["actor_label", "target_label", "target_id", "ip_address"]
    date_hierarchy = "created_at"
    fields = [
        "created_at",
        "action",
        "actor_label",
        "target_type",
        "target_id",
        "target_label",
        "ip_address",
        "user_agent",
        "details",
    ]
    readonly_fields = fields

    @admin.display(description=_("action"))
    def action_label(self, obj):
        return obj.action_label


@admin.register(AuditEntry, site=platform_site)
class PlatformAuditEntryAdmin(AuditEntryAdminBase):
    list_display = ["created_at", "tenant", "action_label", "actor_label", "target_label", "ip_address"]
    list_filter = ["tenant", "action"]
    list_select_related = ["tenant"]


@admin.register(AuditEntry, site=helpdesk_site)
class HelpDeskAuditEntryAdmin(AuditEntryAdminBase, HelpDeskModelAdmin):
    pass


class OutboundEmailAdminBase(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "to", "subject", "status", "attempts", "sent_at"]
    list_filter = ["status", "template"]
    search_fields = ["to", "subject"]
    fields = [
        "created_at",
        "to",
        "language",
        "template",
        "subject",
        "status",
        "attempts",
        "last_error",
        "sent_at",
    ]
    readonly_fields = fields


@admin.register(OutboundEmail, site=platform_site)
class PlatformOutboundEmailAdmin(OutboundEmailAdminBase):
    pass


@admin.register(OutboundEmail, site=helpdesk_site)
class HelpDeskOutboundEmailAdmin(OutboundEmailAdminBase, HelpDeskModelAdmin):
    pass
