"""Two admin sites: the platform admin at /admin/ (platform superusers), and each tenant's help desk
at /<slug>/admin/ (staff of that tenant, who see and change that tenant's rows only)."""

import functools

from django.contrib import admin
from django.contrib.admin import SimpleListFilter
from django.http import Http404
from django.shortcuts import redirect
from django.urls import URLPattern, reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .audit import record_audit
from .modules import is_on, module_of


class PlatformAdminSite(admin.AdminSite):
    site_header = _("Portail — platform administration")
    site_title = _("Portail platform")
    index_title = _("Tenants and platform settings")

    def has_permission(self, request):
        user = request.user
        return request.tenant is None and user.is_active and user.is_superuser and user.tenant_id is None


class HelpDeskAdminSite(admin.AdminSite):
    site_title = _("Help desk")
    index_title = _("Help desk")
    enable_nav_sidebar = False

    def has_permission(self, request):
        user = request.user
        tenant = getattr(request, "tenant", None)
        return tenant is not None and user.is_active and user.is_staff and user.tenant_id == tenant.pk

    def password_change(self, request, extra_context=None):
        # Agents change their password where everyone does, so the rules, the history, the audit
        # entry and the notice mail are the same (accounts' profile page).
        return redirect("accounts:change_password")

    def each_context(self, request):
        context = super().each_context(request)
        tenant = getattr(request, "tenant", None)
        if tenant is not None:
            context["site_header"] = _("%(tenant)s — help desk") % {"tenant": tenant.name}
            context["site_url"] = reverse("home")  # "View site" leads to the tenant's own pages
        return context


platform_site = PlatformAdminSite(name="platform")
helpdesk_site = HelpDeskAdminSite(name="helpdesk")


def is_tenant_owned(model) -> bool:
    return any(f.name == "tenant" and f.is_relation for f in model._meta.get_fields())


class AuditedModelAdmin(admin.ModelAdmin):
    """Every add, change and delete made through an admin site writes an audit entry, in the log of
    the tenant the row belongs to."""

    added_action = "admin.object_added"

    def audit_tenant(self, request, obj):
        return obj.tenant if is_tenant_owned(type(obj)) else request.tenant

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        record_audit(
            tenant=self.audit_tenant(request, obj),
            actor=request.user,
            action="admin.object_changed" if change else self.added_action,
            target=obj,
            request=request,
            details={"fields": sorted(form.changed_data)} if change else {},
        )

    def delete_model(self, request, obj):
        record_audit(
            tenant=self.audit_tenant(request, obj),
            actor=request.user,
            action="admin.object_deleted",
            target=obj,
            request=request,
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


# What the list filters Django builds put in the address after a declared field's path (booleans and
# choices: exact/isnull; relations: the key's exact value; dates: a range).
FILTER_SUFFIXES = ("exact", "isnull", "id__exact", "pk__exact", "gte", "lt")
DATE_HIERARCHY_SUFFIXES = ("year", "month", "day", "gte", "lt")


class HelpDeskModelAdmin(AuditedModelAdmin):
    """A model in the help desk: every query goes through request.tenant; a row of another tenant
    answers 404 exactly like a row that does not exist; every change is audited."""

    helpdesk_can_add = False
    helpdesk_can_change = True
    helpdesk_can_delete = False
    # Fields a help-desk page links to with an exact value (an account's history in the audit log).
    helpdesk_lookups = ()
    # Page titles. Django's own ("Select %s to change", "Change %s") read badly in French
    # ("Modification de utilisateur"): the list is titled with the plural name, a row with the
    # singular one (its own name is the subtitle), and a model that agents add names that page.
    helpdesk_list_title = None
    helpdesk_row_title = None
    helpdesk_add_title = None

    def changelist_view(self, request, extra_context=None):
        title = self.helpdesk_list_title or capfirst(self.model._meta.verbose_name_plural)
        return super().changelist_view(request, {"title": title, **(extra_context or {})})

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if object_id is None:
            title = self.helpdesk_add_title
        else:
            title = self.helpdesk_row_title or capfirst(self.model._meta.verbose_name)
        if title:
            extra_context = {"title": title, **(extra_context or {})}
        return super().changeform_view(request, object_id, form_url, extra_context)

    def lookup_allowed(self, lookup, value, request=None):
        # Only what the page declares: Django's own check lets any lookup on a model's own fields
        # through (password__gte, body_text__regex), and a row count that changes with the value
        # gives the secret away one character at a time. Anything else answers 400.
        return lookup in self.declared_lookups(request)

    def declared_lookups(self, request=None) -> set[str]:
        allowed = set()
        list_filter = self.get_list_filter(request) if request is not None else self.list_filter
        for item in list_filter:
            if isinstance(item, type) and issubclass(item, SimpleListFilter):
                allowed.add(item.parameter_name)
                continue
            path = item[0] if isinstance(item, (list, tuple)) else item
            allowed.update([path, *(f"{path}__{suffix}" for suffix in FILTER_SUFFIXES)])
        if self.date_hierarchy:
            allowed.update(f"{self.date_hierarchy}__{suffix}" for suffix in DATE_HIERARCHY_SUFFIXES)
        search = self.get_search_fields(request) if request is not None else self.search_fields
        for name in (*search, *self.helpdesk_lookups):
            # A searched field is shown in the list; only its exact value, never a comparison.
            path = name.lstrip("^=@").removesuffix("__icontains").removesuffix("__iexact")
            allowed.update([path, f"{path}__exact"])
        return allowed

    def _is_tenant_staff(self, request):
        return self.admin_site.has_permission(request) and self._module_is_on(request)

    def _module_is_on(self, request):
        # The module is the app that owns the admin's model, so the pages of a module's rows are gone
        # from the help desk of a tenant that has switched it off. Not the app that registers the
        # admin: a module may replace the admin of the core's rows (self-service's user admin), and
        # the core's pages stay for every tenant.
        return is_on(request.tenant, module_of(self.model.__module__))

    def get_urls(self):
        return [self._gate(pattern) for pattern in super().get_urls()]

    def _gate(self, pattern):
        view = pattern.callback

        @functools.wraps(view)
        def gated(request, *args, **kwargs):
            if request.tenant is not None and not self._module_is_on(request):
                raise Http404
            return view(request, *args, **kwargs)

        return URLPattern(pattern.pattern, gated, pattern.default_args, pattern.name)

    def has_module_permission(self, request):
        return self._is_tenant_staff(request)

    def has_view_permission(self, request, obj=None):
        return self._is_tenant_staff(request)

    def has_add_permission(self, request):
        return self.helpdesk_can_add and self._is_tenant_staff(request)

    def has_change_permission(self, request, obj=None):
        return self.helpdesk_can_change and self._is_tenant_staff(request)

    def has_delete_permission(self, request, obj=None):
        return self.helpdesk_can_delete and self._is_tenant_staff(request)

    def get_queryset(self, request):
        return super().get_queryset(request).filter(tenant=request.tenant)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj

    def get_exclude(self, request, obj=None):
        return [*(super().get_exclude(request, obj) or []), "tenant"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.related_model
        if is_tenant_owned(related):
            kwargs["queryset"] = related._default_manager.filter(tenant=request.tenant)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        related = db_field.related_model
        if is_tenant_owned(related):
            kwargs["queryset"] = related._default_manager.filter(tenant=request.tenant)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.tenant = request.tenant
        super().save_model(request, obj, form, change)


class ReadOnlyAdminMixin:
    """For the append-only log and the outbox: visible, never added, changed or deleted."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
