import ipaddress
import json
from pathlib import Path

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Q
from django.template import engines
from django.utils.formats import date_format, number_format
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.timezone import localtime
from django.utils.translation import gettext
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


def estimated_rows(queryset):
    """The planner's guess at how many rows the list holds (EXPLAIN without running the query, from
    the statistics ANALYZE keeps, per tenant and per filter), or None where there is no such guess."""
    if connections[queryset.db].vendor != "postgresql":
        return None
    plan = queryset.order_by().explain(format="json")
    if not plan:  # a query Django knows to be empty (`pk__in=[]`) is not sent, nor explained
        return 0
    return int(json.loads(plan)[0]["Plan"]["Plan Rows"])


def about(number: int) -> int:
    """An estimate rounded to two significant digits (198,734 → 200,000): it is a guess, and a
    precise-looking figure would read as a count."""
    if number < 100:
        return number
    step = 10 ** (len(str(number)) - 2)
    return round(number / step) * step


class CappedPaginator(Paginator):
    """The count of a big list without reading it: PostgreSQL's estimate when it says the list is
    past the cap (the page then says "about N"), else a count over a LIMIT, so a big list costs no
    more than a small one. The pages stop at the cap: deeper rows are reached by narrowing the list.
    A page past the first reads its rows' keys from the index and then only those rows, so the
    hundredth page does not fetch the ninety-nine before it. See docs/journeys.md#helpdesk-big-lists."""

    estimated = False

    @cached_property
    def count(self):
        guess = estimated_rows(self.object_list)
        if guess is not None and guess > COUNT_CAP:
            self.estimated = True
            return about(guess)
        return min(self.object_list.order_by()[: COUNT_CAP + 1].count(), COUNT_CAP)

    @cached_property
    def num_pages(self):
        if self.count and self.estimated:  # the count decides whether it is an estimate
            return max(1, COUNT_CAP // self.per_page)
        return super().num_pages

    @property
    def capped(self):
        """More rows than the pages show."""
        return self.estimated or self.count >= COUNT_CAP

    @property
    def count_text(self):
        return number_format(self.count, force_grouping=True)

    @property
    def cap_text(self):
        return number_format(COUNT_CAP, force_grouping=True)

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = self.object_list
        if bottom:
            rows = rows.filter(pk__in=rows.values("pk")[bottom : bottom + self.per_page])
        else:
            rows = rows[: self.per_page]
        return self._get_page(rows, number, self)

    def get_elided_page_range(self, number=1, *, on_each_side=3, on_ends=2):
        # Estimated: no link to a "last" page, which would only be the cap's.
        pages = list(super().get_elided_page_range(number, on_each_side=on_each_side, on_ends=on_ends))
        if self.estimated and pages[-1] == self.num_pages and number + on_each_side < self.num_pages:
            pages = pages[:-on_ends]
            if pages[-1] != self.ELLIPSIS:
                pages.append(self.ELLIPSIS)
        return pages


class BigListMixin:
    """A list over a table of millions of rows: one estimate or bounded count, never the second
    full count."""

    paginator = CappedPaginator
    show_full_result_count = False
    # A page an agent reads on the phone, and half the rendering of Django's hundred rows (the rows,
    # not the database, were most of a big list's time).
    list_per_page = 50

    def action_checkbox(self, obj):
        # Django's own checkbox, written out instead of rendered through a form widget's template
        # once per row (a quarter of the people list's time).
        label = format_html(gettext("Select this object for an action - {}"), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            str(obj.pk),
            label,
        )


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


def mail_templates():
    """The mails the portal can send: the folders `emails/<name>/` of the template directories."""
    names = set()
    for engine in engines.all():
        for loader in getattr(engine, "engine", engine).template_loaders:
            for folder in loader.get_dirs() if hasattr(loader, "get_dirs") else []:
                names.update(p.parent.name for p in Path(folder).glob("emails/*/subject.txt"))
    return sorted(names)


class MailTemplateFilter(admin.SimpleListFilter):
    """The mails the portal declares, not a SELECT DISTINCT over the whole outbox."""

    title = _("template")
    parameter_name = "template__exact"  # the address Django's field filter gave it, kept

    def lookups(self, request, model_admin):
        return [(name, name) for name in mail_templates()]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(template=self.value())
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
    # Newest first, on the (tenant, created_at, id) index: a sort by a label or an address would
    # read and sort the tenant's whole log for each page.
    sortable_by = ["created_at"]
    # An address typed whole is looked up exactly, on the (tenant, ip_address, created_at) index;
    # each other word is looked for in who acted and on what, on trigram indexes (PostgreSQL; see the
    # migration that adds them). See get_search_results.
    search_fields = ["actor_label", "target_label", "ip_address"]
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
            pass
        else:
            return queryset.filter(ip_address=address), False
        # Every word, in either label, without case: UPPER(label) LIKE '%WORD%', which the trigram
        # indexes on UPPER(actor_label) and UPPER(target_label) answer. A person's own history is
        # reached from their page (target_type and target_id, on their index).
        found = Q()
        for word in search_term.split():
            found &= Q(actor_label__icontains=word) | Q(target_label__icontains=word)
        return queryset.filter(found), False

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
    list_filter = ["status", MailTemplateFilter]
    sortable_by = ["created_at"]  # as the audit log's, on the (tenant, created_at, id) index
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
