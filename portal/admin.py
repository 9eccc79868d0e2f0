import ipaddress

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.paginator import Paginator
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from .admin_sites import (
    AuditedModelAdmin,
    HelpDeskModelAdmin,
    ReadOnlyAdminMixin,
    helpdesk_site,
    platform_site,
)
from .audit import known_actions
from .models import AuditEntry, OutboundEmail, Tenant
from .modules import optional_modules, settings_models

# Lists of millions of rows count at most this many: COUNT(*) over a tenant's whole log reads every
# row, and nobody pages past the hundredth page (a filter or a search narrows the list instead).
COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """Counts up to COUNT_CAP + 1 rows (a COUNT over a LIMIT), so a big list costs no more than a
    small one; the pages beyond the cap are reached by narrowing the list."""

    @cached_property
    def count(self):
        return min(self.object_list[: COUNT_CAP + 1].count(), COUNT_CAP)


class BigListMixin:
    """A list over a table of millions of rows: one bounded count, never the second full count."""

    paginator = CappedPaginator
    show_full_result_count = False


class ActionFilter(admin.SimpleListFilter):
    """The actions the portal and its modules declare, not a SELECT DISTINCT over the whole log."""

    title = _("action")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return sorted(known_actions().items(), key=lambda item: str(item[1]).casefold())

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(action=self.value())
        return queryset


class TenantForm(forms.ModelForm):
    # The choices are the optional modules the app registry declares, read when the form is built.
    modules = forms.MultipleChoiceField(
        label=_("Modules"), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Tenant
        fields = ["slug", "name_fr", "name_en", "is_active", "modules", "accent_colour"]
        fields += ["helpdesk_fr", "helpdesk_en", "time_zone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["modules"].choices = [(module.key, module.name) for module in optional_modules()]


class SettingsFormSet(forms.BaseInlineFormSet):
    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        # The settings' own checks read the tenant as submitted on this page (its modules), not as
        # it was stored.
        form.instance.tenant = self.instance
        return form


def settings_inline(model):
    """The inline of one module's per-tenant settings: one row, created with the tenant."""
    return type(
        f"{model.__name__}Inline",
        (admin.StackedInline,),
        {
            "model": model,
            "formset": SettingsFormSet,
            "can_delete": False,
            "min_num": 1,
            "max_num": 1,
            "extra": 0,
        },
    )


@admin.register(Tenant, site=platform_site)
class TenantAdmin(AuditedModelAdmin):
    form = TenantForm
    list_display = ["slug", "name_fr", "name_en", "is_active", "module_list"]
    list_filter = ["is_active"]
    search_fields = ["slug", "name_fr", "name_en"]
    fieldsets = [
        (None, {"fields": ["slug", "name_fr", "name_en", "is_active"]}),
        (_("Modules"), {"fields": ["modules"]}),
        (_("Branding and help"), {"fields": ["accent_colour", "helpdesk_fr", "helpdesk_en", "time_zone"]}),
    ]

    added_action = "tenant.created"

    def get_inlines(self, request, obj):
        return [settings_inline(model) for model in settings_models()]

    @admin.display(description=_("modules"))
    def module_list(self, obj):
        names = {module.key: module.name for module in optional_modules()}
        return ", ".join(str(names.get(key, key)) for key in obj.modules) or "—"

    def audit_tenant(self, request, obj):
        return obj


class AuditEntryAdminBase(BigListMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "action_label", "actor_label", "target_label", "ip_address"]
    # A range on the indexed date (today, the past 7 days, this month, this year) instead of the date
    # hierarchy, whose year and month links read the dates of every row of the tenant.
    list_filter = [ActionFilter, ("created_at", admin.DateFieldListFilter)]
    # An address typed whole is looked up exactly, on the (tenant, ip_address, created_at) index;
    # other terms search the labels as before. See get_search_results.
    search_fields = ["actor_label", "target_label", "target_id", "ip_address"]
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

    def get_search_results(self, request, queryset, search_term):
        try:
            address = str(ipaddress.ip_address(search_term.strip()))
        except ValueError:
            return super().get_search_results(request, queryset, search_term)
        return queryset.filter(ip_address=address), False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # The entry's heading in the reader's time zone (the tenant's, on its help desk) and format;
        # the entry's own name is in UTC.
        entry = self.get_object(request, unquote(object_id))
        if entry is not None:
            when = date_format(localtime(entry.created_at), "DATETIME_FORMAT")
            extra_context = {"subtitle": f"{when} — {entry.action_label}", **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(AuditEntry, site=platform_site)
class PlatformAuditEntryAdmin(AuditEntryAdminBase):
    list_display = ["created_at", "tenant", "action_label", "actor_label", "target_label", "ip_address"]
    list_filter = ["tenant", *AuditEntryAdminBase.list_filter]
    list_select_related = ["tenant"]


@admin.register(AuditEntry, site=helpdesk_site)
class HelpDeskAuditEntryAdmin(AuditEntryAdminBase, HelpDeskModelAdmin):
    helpdesk_lookups = ["target_type", "target_id"]  # a person's page links to their history
    helpdesk_list_title = _("Audit log")
    helpdesk_row_title = _("Audit log entry")


class OutboundEmailAdminBase(BigListMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "to", "subject", "status", "attempts", "sent_at"]
    list_filter = ["status", "template"]
    # The recipient's address, whole (the index on (tenant, to)): the help desk looks up the mails of
    # the person on the phone, not a word in a subject.
    search_fields = ["to"]
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

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        return queryset.filter(to__in={term, term.lower()}), False


@admin.register(OutboundEmail, site=platform_site)
class PlatformOutboundEmailAdmin(OutboundEmailAdminBase):
    pass


@admin.register(OutboundEmail, site=helpdesk_site)
class HelpDeskOutboundEmailAdmin(OutboundEmailAdminBase, HelpDeskModelAdmin):
    pass
