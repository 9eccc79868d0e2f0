from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.dates import MONTHS
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.text import capfirst
from django.utils.timezone import localtime
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from portal.admin import BigListMixin
from portal.admin_sites import AuditedModelAdmin, HelpDeskModelAdmin, helpdesk_site, platform_site

from . import lockout
from .actions import (
    do_decide_email_registration,
    do_remove_device,
    do_request_email_change,
    do_require_password_change,
    do_send_password_link,
    do_send_test_email,
    do_set_person_parts,
    do_unlock,
    do_unlock_many,
)
from .forms import HelpDeskSignInForm
from .identifiers import normalise_identifier
from .models import AuthenticatorDevice, EmailRegistration, User
from .search import folded
from .selectors import audit_entries_about, identity_record_of, member_number_of, member_with_number

# Both admin sites sign in under the same lockout as the portal.
helpdesk_site.login_form = HelpDeskSignInForm
platform_site.login_form = HelpDeskSignInForm


def _report(modeladmin, request, count, message, level=messages.SUCCESS):
    """`message`: the ngettext() of the count, with %(n)d."""
    if count:
        modeladmin.message_user(request, message % {"n": count}, level)


@admin.action(description=_("Unlock the selected accounts"))
def unlock_accounts(modeladmin, request, queryset):
    # Grouped by tenant (the platform admin may select people of several): a constant number of
    # queries per tenant, however many people are selected.
    people = list(queryset.select_related("tenant"))
    by_tenant = {}
    for person in people:
        by_tenant.setdefault(person.tenant_id, (person.tenant, []))[1].append(person)
    unlocked = sum(
        do_unlock_many(tenant=tenant, users=group, actor=request.user, request=request)
        for tenant, group in by_tenant.values()
    )
    _report(
        modeladmin,
        request,
        unlocked,
        ngettext("%(n)d account unlocked.", "%(n)d accounts unlocked.", unlocked),
    )
    if not unlocked:
        modeladmin.message_user(request, gettext("None of the selected accounts was locked."), messages.INFO)


@admin.action(description=_("Send a link to choose a new password"))
def send_password_links(modeladmin, request, queryset):
    sent = skipped = 0
    for user in queryset.select_related("tenant"):
        if not user.email or not user.is_active:
            skipped += 1
            continue
        reason = "reset" if user.has_usable_password() else "activation"
        do_send_password_link(user=user, actor=request.user, request=request, reason=reason)
        sent += 1
    _report(
        modeladmin,
        request,
        sent,
        ngettext(
            "A password link is on its way to %(n)d account.",
            "A password link is on its way to %(n)d accounts.",
            sent,
        ),
    )
    _report(
        modeladmin,
        request,
        skipped,
        ngettext(
            "%(n)d account has no e-mail address or is inactive.",
            "%(n)d accounts have no e-mail address or are inactive.",
            skipped,
        ),
        messages.WARNING,
    )


@admin.action(description=_("Ask for a new password at next sign-in"))
def require_password_change(modeladmin, request, queryset):
    users = list(queryset)
    for user in users:
        do_require_password_change(user=user, actor=request.user, request=request)
    _report(
        modeladmin,
        request,
        len(users),
        ngettext(
            "%(n)d account will choose a new password at next sign-in.",
            "%(n)d accounts will choose a new password at next sign-in.",
            len(users),
        ),
    )


@admin.action(description=_("Send a test e-mail"))
def send_test_email(modeladmin, request, queryset):
    sent = skipped = 0
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


HISTORY_PREVIEW = 5
PART_FIELDS = ["member_number", "birth_town", "birth_month", "mobile_phone"]


class PersonPartsForm(forms.ModelForm):
    """The person's page shows, beside the account, what is kept in its own models: the member
    number (Membership) and the lost-identifier data (IdentityRecord). The private number is not
    here: it is printed on the enrolment letter and kept as a hash nobody at a desk sees or sets."""

    member_number = forms.CharField(
        label=capfirst(_("member number")), max_length=20, required=False, help_text=_("Member tenants only.")
    )
    birth_town = forms.CharField(label=capfirst(_("town of birth")), max_length=120, required=False)
    birth_month = forms.TypedChoiceField(
        label=capfirst(_("month of birth")),
        choices=[("", "---------"), *MONTHS.items()],
        coerce=int,
        empty_value=None,
        required=False,
    )
    mobile_phone = forms.CharField(label=capfirst(_("mobile number")), max_length=30, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.instance
        if user.pk is not None and user.tenant_id is not None:
            self.initial.setdefault("member_number", member_number_of(user=user))
            record = identity_record_of(tenant=user.tenant_id, user=user)
            for name in PART_FIELDS[1:]:
                self.initial.setdefault(name, getattr(record, name) if record else None)

    def _person_tenant(self):
        return self.instance.tenant if self.instance.tenant_id else self.cleaned_data.get("tenant")

    def clean_member_number(self):
        number = "".join(self.cleaned_data["member_number"].split())
        tenant = getattr(self, "tenant", None) or self._person_tenant()
        if number and tenant is not None:
            holder = member_with_number(tenant=tenant, member_number=number)
            if holder is not None and holder.pk != self.instance.pk:
                raise forms.ValidationError(_("Another person of this tenant has this member number."))
        return number


class HelpDeskUserForm(PersonPartsForm):
    """The tenant is not a field of the help desk's forms, so Django cannot check the per-tenant
    uniqueness of the identifier by itself; this form does, with a message instead of an error page."""

    tenant = None  # set by HelpDeskUserAdmin.get_form

    class Meta:
        model = User
        fields = ["identifier"]

    def clean_identifier(self):
        identifier = normalise_identifier(self.tenant, self.cleaned_data["identifier"])
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

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        if self.instance.pk is not None and self.instance.email and not email:
            # Without an address on file, the next one typed here would reach nobody who could object.
            raise forms.ValidationError(
                _("Only its owner removes or replaces the address, from their profile page.")
            )
        return email


class PlatformUserForm(PersonPartsForm):
    def clean(self):
        # Normalised before Django checks the per-tenant uniqueness, so "e100001" meets "E100001".
        cleaned = super().clean()
        tenant, identifier = cleaned.get("tenant"), cleaned.get("identifier")
        if tenant is not None and identifier:
            cleaned["identifier"] = normalise_identifier(tenant, identifier)
        return cleaned


PERSON_FIELDS = [
    "identifier",
    "first_name",
    "last_name",
    "email",
    "email_verified",
    "preferred_language",
    *PART_FIELDS,
    "is_active",
    "is_staff",
    "must_change_password",
    "enrolment_pending",
    "lock_status",
    "password_changed_at",
    "last_login",
    "date_joined",
    "history",
]


class UserAdminBase(AuditedModelAdmin):
    list_display = ["identifier", "last_name", "first_name", "email", "is_active", "is_staff", "last_login"]
    list_filter = [
        "is_active",
        "is_staff",
        "email_verified",
        "must_change_password",
        "enrolment_pending",
        "preferred_language",
    ]
    # The name is searched without accents or case ("loic" finds "Loïc"), the identifier and the
    # address whole: see get_search_results.
    search_fields = ["identifier", "email", "search_name"]
    ordering = ["identifier"]
    actions = [unlock_accounts, send_password_links, require_password_change, send_test_email]
    readonly_fields = ["last_login", "date_joined", "password_changed_at", "lock_status", "history"]

    def lock_state(self, obj):
        """The person's lock, or None for a row not saved yet."""
        if obj.pk is None:
            return None
        return lockout.current_state(obj.tenant, lockout.lock_key(obj.tenant, user=obj))

    @admin.display(description=_("lock"))
    def lock_status(self, obj):
        state = self.lock_state(obj)
        if state is None or not state.locked:
            return "—" if state is None else gettext("not locked")
        return ngettext(
            "locked for %(minutes)d more minute (use the action “Unlock”)",
            "locked for %(minutes)d more minutes (use the action “Unlock”)",
            state.minutes_left,
        ) % {"minutes": state.minutes_left}

    @admin.display(description=_("history"))
    def history(self, obj):
        if obj.pk is None:
            return "—"
        # The latest entries, as the person's profile shows them, and the whole list in the audit log
        # (filtered on the same target as audit_entries_about).
        latest = audit_entries_about(tenant=obj.tenant, target=obj)[:HISTORY_PREVIEW] if obj.tenant else []
        lines = format_html_join(
            "",
            "<li>{} — {}</li>",
            ((date_format(localtime(e.created_at), "SHORT_DATETIME_FORMAT"), e.action_label) for e in latest),
        )
        url = reverse(f"{self.admin_site.name}:portal_auditentry_changelist")
        query = urlencode({"target_type": obj._meta.label_lower, "target_id": obj.pk})
        link = format_html('<a href="{}?{}">{}</a>', url, query, gettext("See this account's audit history"))
        return format_html("<ul>{}</ul>{}", lines, link) if lines else link

    def get_search_results(self, request, queryset, search_term):
        # Each arm uses an index, so a tenant of 200,000 people is not read row by row: the folded
        # name contains every word typed (a trigram index on PostgreSQL, see the accounts migration
        # that adds it), or the identifier or address is the one typed, whole.
        term = search_term.strip()
        words = folded(term).split()
        if not words:
            return queryset, False
        name = Q()
        for word in words:
            name &= Q(search_name__contains=word)
        return queryset.filter(
            name | Q(identifier__in={term, term.upper(), term.lower()}) | Q(email__in={term, term.lower()})
        ), False

    def save_model(self, request, obj, form, change):
        # Nobody at a desk sets a password: a new account gets none until its owner chooses one.
        obj.email = obj.email.lower()
        if not change:
            obj.set_unusable_password()
        super().save_model(request, obj, form, change)
        if obj.tenant_id is not None and any(name in form.changed_data for name in PART_FIELDS):
            # Audited with the person's other fields above (form.changed_data names them).
            do_set_person_parts(user=obj, **{name: form.cleaned_data[name] for name in PART_FIELDS})


class LockFilter(admin.SimpleListFilter):
    """Who is locked out right now: one range of an index of the lock rows that carry their account
    (SignInLock.user), however many people the tenant has."""

    title = _("lock")
    parameter_name = "lock"

    def lookups(self, request, model_admin):
        return [("locked", _("Locked")), ("open", _("Not locked"))]

    def queryset(self, request, queryset):
        if self.value() not in ("locked", "open"):
            return queryset
        locked = lockout.locked_people(request.tenant)
        return queryset.filter(pk__in=locked) if self.value() == "locked" else queryset.exclude(pk__in=locked)


@admin.register(User, site=helpdesk_site)
class HelpDeskUserAdmin(BigListMixin, UserAdminBase, HelpDeskModelAdmin):
    """Help desk agents see and correct the people of their tenant. They never see or set a
    password, and only the platform grants help-desk access."""

    helpdesk_can_add = True
    helpdesk_list_title = _("People")
    helpdesk_row_title = _("A person’s account")
    helpdesk_add_title = _("Add a person")

    form = HelpDeskUserForm
    list_display = ["identifier", "last_name", "first_name", "email", "is_active", "lock", "last_login"]
    list_filter = [LockFilter, *(f for f in UserAdminBase.list_filter if f != "is_staff")]

    def get_changelist_instance(self, request):
        # The lock of every person on the page, read with one query (see `lock`), by the account
        # its row carries, as the "locked" filter reads it.
        changelist = super().get_changelist_instance(request)
        people = list(changelist.result_list)
        states = lockout.states_of_people(request.tenant, [person.pk for person in people])
        for person in people:
            person.lock_state = states[person.pk]
        return changelist

    @admin.display(description=_("lock"))
    def lock(self, obj):
        state = getattr(obj, "lock_state", None)
        if state is None or not state.locked:
            return "—"
        return ngettext("Locked (%(minutes)d min)", "Locked (%(minutes)d min)", state.minutes_left) % {
            "minutes": state.minutes_left
        }

    @admin.display(description=_("lock"))
    def lock_status(self, obj):
        state = self.lock_state(obj)
        if state is None or not state.locked:
            return "—" if state is None else gettext("not locked")
        text = ngettext(
            "locked for %(minutes)d more minute", "locked for %(minutes)d more minutes", state.minutes_left
        ) % {"minutes": state.minutes_left}
        # A button of the page's own form (which carries the CSRF token), posted to the unlock page.
        url = reverse(f"{self.admin_site.name}:accounts_user_unlock", args=[obj.pk])
        return format_html(
            '{} <button type="submit" class="button" formaction="{}" formmethod="post" formnovalidate>'
            "{}</button>",
            text,
            url,
            gettext("Unlock now"),
        )

    def get_urls(self):
        unlock = self.admin_site.admin_view(require_POST(self.unlock_view))
        return [path("<path:object_id>/unlock/", unlock, name="accounts_user_unlock"), *super().get_urls()]

    def unlock_view(self, request, object_id):
        person = self.get_object(request, unquote(object_id))
        if not self.has_change_permission(request, person):
            raise PermissionDenied
        if do_unlock(user=person, actor=request.user, request=request):
            self.message_user(request, gettext("%(person)s is unlocked.") % {"person": person})
        else:
            self.message_user(
                request, gettext("%(person)s was not locked.") % {"person": person}, messages.INFO
            )
        return HttpResponseRedirect(reverse(f"{self.admin_site.name}:accounts_user_change", args=[person.pk]))

    def get_queryset(self, request):
        # Help-desk accounts, the agent's own and their peers', are managed by the platform admin
        # only: they are not in the list, and every page and action here reads through this queryset,
        # so none of them reaches such an account (an agent taking over a peer gains nothing new, but
        # a shown-yet-read-only row would need each action and page to check it again).
        return super().get_queryset(request).filter(is_staff=False, is_superuser=False)

    def save_model(self, request, obj, form, change):
        # An address typed at the desk waits for its owner's confirmation, and the address on file
        # keeps receiving every link until then: an agent never holds what recovers the account.
        typed = obj.email.lower()
        if change and typed != (form.initial.get("email") or "").lower():
            obj.email = form.initial.get("email") or ""
        super().save_model(request, obj, form, change)
        if change and typed and typed != obj.email:
            do_request_email_change(user=obj, new_email=typed, actor=request.user, request=request)
            self.message_user(
                request,
                gettext(
                    "The new address is used once its owner confirms it with the link just sent "
                    "there; the address on file was told."
                ),
                messages.INFO,
            )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"tenant": request.tenant})

    def get_readonly_fields(self, request, obj=None):
        readonly = [*self.readonly_fields, "is_staff"]
        return [*readonly, "identifier"] if obj is not None else readonly

    fields = [*PERSON_FIELDS[:3], "email", "pending_email", *PERSON_FIELDS[4:]]
    readonly_fields = [*UserAdminBase.readonly_fields, "pending_email"]
    # An app built on accounts (self-service) extends this admin by subclassing it and registering
    # the subclass in its place (accounts.selfservice.admin).


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


@admin.action(description=_("Approve: put the address on the account and send it a link"))
def approve_registrations(modeladmin, request, queryset):
    done = skipped = 0
    for registration in queryset.select_related("user", "user__tenant", "tenant"):
        if registration.status != EmailRegistration.Status.PENDING or registration.user is None:
            skipped += 1
            continue
        do_decide_email_registration(
            registration=registration, approve=True, actor=request.user, request=request
        )
        done += 1
    _report(modeladmin, request, done, ngettext("%(n)d request approved.", "%(n)d requests approved.", done))
    _report(
        modeladmin,
        request,
        skipped,
        ngettext(
            "%(n)d request skipped: already decided, or no matching account.",
            "%(n)d requests skipped: already decided, or no matching account.",
            skipped,
        ),
        messages.WARNING,
    )


@admin.action(description=_("Refuse"))
def refuse_registrations(modeladmin, request, queryset):
    done = 0
    for registration in queryset.filter(status=EmailRegistration.Status.PENDING):
        do_decide_email_registration(
            registration=registration, approve=False, actor=request.user, request=request
        )
        done += 1
    _report(modeladmin, request, done, ngettext("%(n)d request refused.", "%(n)d requests refused.", done))


@admin.register(EmailRegistration, site=helpdesk_site)
class HelpDeskEmailRegistrationAdmin(HelpDeskModelAdmin):
    """Requests arrive from the sign-in page (docs/journeys.md#helpdesk-registrations); the help desk
    checks them against the member file and approves or refuses."""

    list_display = [
        "created_at",
        "member_number",
        "last_name",
        "first_name",
        "email",
        "user",
        "account_identifier",
        "address_in_use",
        "requests_for_member",
        "status",
    ]
    list_filter = ["status"]
    search_fields = ["member_number", "last_name", "first_name", "email"]
    list_select_related = ["user"]
    actions = [approve_registrations, refuse_registrations]
    # What to check before approving: whose account would get the address, whether another account
    # has it already, and whether this member number keeps being asked for.
    fields = [
        "created_at",
        "member_number",
        "first_name",
        "last_name",
        "email",
        "user",
        "account_identifier",
        "address_in_use",
        "requests_for_member",
        "status",
        "decided_at",
        "decided_by",
    ]
    readonly_fields = fields
    helpdesk_can_change = False

    def get_queryset(self, request):
        same_member = (
            EmailRegistration.objects.filter(  # tenant-guard: the outer row's tenant
                tenant=OuterRef("tenant"), member_number=OuterRef("member_number")
            )
            .order_by()
            .values("member_number")
            .annotate(n=Count("pk"))
            .values("n")
        )
        holders = User.objects.filter(  # tenant-guard: the outer row's tenant
            Q(email=OuterRef("email")) | Q(pending_email=OuterRef("email")), tenant=OuterRef("tenant")
        ).exclude(pk=Coalesce(OuterRef("user_id"), 0))  # a NULL here would exclude every row
        return (
            super()
            .get_queryset(request)
            .annotate(member_requests=Subquery(same_member), address_taken=Exists(holders))
        )

    @admin.display(description=_("identifier of the matching account"))
    def account_identifier(self, obj):
        return obj.user.identifier if obj.user_id else "—"

    @admin.display(description=_("address"))
    def address_in_use(self, obj):
        return gettext("Already used by another account") if obj.address_taken else gettext("Not used")

    @admin.display(description=_("requests for this member number"), ordering="member_requests")
    def requests_for_member(self, obj):
        return obj.member_requests


@admin.register(AuthenticatorDevice, site=helpdesk_site)
class AuthenticatorDeviceAdmin(HelpDeskModelAdmin):
    """Mobile devices of the tenant's people. The help desk removes a lost one; it never sees a key."""

    helpdesk_can_change = False
    helpdesk_can_delete = True
    list_display = ["person", "device_name", "is_confirmed", "created_at", "last_used_at"]
    list_select_related = ["user"]
    search_fields = ["user__identifier", "user__last_name", "name"]
    fields = ["person", "device_name", "is_confirmed", "created_at", "last_used_at"]
    readonly_fields = fields
    helpdesk_list_title = _("Mobile devices")
    helpdesk_row_title = _("A mobile device")

    # The device model's own fields come from django-otp, in English only: named here.
    @admin.display(description=_("person"), ordering="user__identifier")
    def person(self, obj):
        return obj.user

    @admin.display(description=_("device name"), ordering="name")
    def device_name(self, obj):
        return obj.name

    @admin.display(description=_("confirmed"), boolean=True, ordering="confirmed")
    def is_confirmed(self, obj):
        return obj.confirmed

    actions = ["remove_devices"]

    def get_actions(self, request):
        found = super().get_actions(request)
        found.pop("delete_selected", None)  # removal goes through the audited action with its notice
        return found

    @admin.action(description=_("Remove the selected devices (lost or replaced)"))
    def remove_devices(self, request, queryset):
        count = 0
        for device in queryset.select_related("user__tenant"):
            do_remove_device(device=device, actor=request.user, request=request)
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
        do_remove_device(device=obj, actor=request.user, request=request)
