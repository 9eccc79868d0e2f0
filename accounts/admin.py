from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.admin_sites import AuditedModelAdmin, HelpDeskModelAdmin, helpdesk_site, platform_site

from .actions import do_send_test_email
from .models import User


@admin.action(description=_("Send a test e-mail"))
def send_test_email(modeladmin, request, queryset):
    sent = skipped = 0
    with transaction.atomic():
        for user in queryset.select_related("tenant"):
            if not user.email:
                skipped += 1
                continue
            do_send_test_email(user=user, actor=request.user, request=request)
            sent += 1
    if sent:
        modeladmin.message_user(
            request,
            ngettext(
                "A test e-mail is on its way to %(n)d account.",
                "A test e-mail is on its way to %(n)d accounts.",
                sent,
            )
            % {"n": sent},
            messages.SUCCESS,
        )
    if skipped:
        modeladmin.message_user(
            request,
            ngettext(
                "%(n)d account has no e-mail address.", "%(n)d accounts have no e-mail address.", skipped
            )
            % {"n": skipped},
            messages.WARNING,
        )


class HelpDeskUserForm(forms.ModelForm):
    """The tenant is not a field of the help desk's forms, so Django cannot check the per-tenant
    uniqueness of the identifier by itself; this form does, with a message instead of an error page."""

    tenant = None  # set by HelpDeskUserAdmin.get_form

    class Meta:
        model = User
        fields = ["identifier"]

    def clean_identifier(self):
        identifier = self.tenant.normalise_identifier(self.cleaned_data["identifier"])
        if (
            User.objects.for_tenant(self.tenant)
            .filter(identifier=identifier)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            raise forms.ValidationError(
                _("Another account of this organisation already uses this identifier.")
            )
        return identifier


class PlatformUserForm(forms.ModelForm):
    def clean(self):
        # Normalised before Django checks the per-tenant uniqueness, so "e100001" meets "E100001".
        cleaned = super().clean()
        tenant, identifier = cleaned.get("tenant"), cleaned.get("identifier")
        if tenant is not None and identifier:
            cleaned["identifier"] = tenant.normalise_identifier(identifier)
        return cleaned


PERSON_FIELDS = [
    "identifier",
    "first_name",
    "last_name",
    "email",
    "preferred_language",
    "is_active",
    "is_staff",
    "last_login",
    "date_joined",
]


class UserAdminBase(AuditedModelAdmin):
    list_display = ["identifier", "last_name", "first_name", "email", "is_active", "is_staff", "last_login"]
    list_filter = ["is_active", "is_staff", "preferred_language"]
    search_fields = ["identifier", "email", "first_name", "last_name"]
    ordering = ["identifier"]
    actions = [send_test_email]
    readonly_fields = ["last_login", "date_joined"]

    def save_model(self, request, obj, form, change):
        # Nobody at a desk sets a password: a new account gets none until its owner chooses one.
        obj.email = obj.email.lower()
        if not change:
            obj.set_unusable_password()
        super().save_model(request, obj, form, change)


@admin.register(User, site=helpdesk_site)
class HelpDeskUserAdmin(UserAdminBase, HelpDeskModelAdmin):
    """Help desk agents see and correct the people of their tenant. They never see or set a
    password, and only the platform grants help-desk access."""

    helpdesk_can_add = True
    fields = PERSON_FIELDS

    form = HelpDeskUserForm

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"tenant": request.tenant})

    def get_readonly_fields(self, request, obj=None):
        readonly = [*self.readonly_fields, "is_staff"]
        return [*readonly, "identifier"] if obj is not None else readonly


@admin.register(User, site=platform_site)
class PlatformUserAdmin(UserAdminBase):
    list_display = [
        "identifier",
        "tenant",
        "last_name",
        "first_name",
        "email",
        "is_active",
        "is_staff",
        "is_superuser",
    ]
    list_filter = ["tenant", "is_active", "is_staff", "is_superuser"]
    list_select_related = ["tenant"]
    fields = ["tenant", *PERSON_FIELDS, "is_superuser"]
    form = PlatformUserForm
