import pytest
from django.contrib.admin.utils import quote
from django.urls import reverse

from accounts.devices import AuthenticatorDevice
from accounts.models import EmailRegistration, User
from accounts.selfservice.models import SecurityQuestion
from messaging.models import Collaborator, Conversation
from portal.admin_sites import helpdesk_site
from portal.audit import record_audit
from portal.models import AuditEntry, OutboundEmail, Tenant
from tests.factories import UserFactory


def admin_change_url(obj):
    path = reverse(
        f"helpdesk:{obj._meta.app_label}_{obj._meta.model_name}_change",
        args=[quote(obj.pk)],
        urlconf="portal.urls_tenant",
    )
    return path  # unprefixed: the caller adds /<slug>


def make_row(model, tenant, label):
    """One row of `model` in `tenant`, whose str() contains `label`."""
    if model is User:
        return UserFactory(tenant=tenant, identifier=f"ROW-{label}", first_name=label)
    if model is AuditEntry:
        return record_audit(tenant=tenant, actor=None, action="mail.test_sent", details={"note": label})
    if model is OutboundEmail:
        return OutboundEmail.objects.create(
            tenant=tenant,
            to=f"{label.lower()}@example.test",
            language="fr-ca",
            template="test_message",
            subject=f"Subject {label}",
        )
    if model is EmailRegistration:
        return EmailRegistration.objects.create(
            tenant=tenant, member_number="900000", first_name=label, last_name="Row", email="row@example.test"
        )
    if model is SecurityQuestion:
        return SecurityQuestion.objects.create(tenant=tenant, text_fr=f"Question {label}?", text_en=label)
    if model is AuthenticatorDevice:
        owner = UserFactory(tenant=tenant, identifier=f"DEV-{label}")
        device = AuthenticatorDevice.start(owner, f"Phone {label}")
        device.confirmed = True
        device.save()
        return device
    if model in (Collaborator, Conversation):
        from messaging import actions

        owner = UserFactory(
            tenant=tenant, identifier=f"COL-{label}", email=f"col-{label.lower()}@example.test"
        )
        collaborator = actions.do_enable_collaborator(tenant=tenant, email=owner.email, actor=None)
        if model is Collaborator:
            return collaborator
        return actions.do_start_conversation(
            collaborator=collaborator, title=label, emails=["someone@example.test"], body=label
        )
    raise AssertionError(f"add a row maker for {model.__name__} to test its help-desk isolation")


@pytest.mark.django_db
class TestHelpDeskIsolation:
    @pytest.mark.parametrize("model", list(helpdesk_site._registry), ids=lambda m: m.__name__)
    def test_staff_of_a_sees_and_opens_only_rows_of_a(self, client, sign_in, staff_a, tenant_b, model):
        own = make_row(model, staff_a.tenant, "Mine")
        other = make_row(model, tenant_b, "Theirs")
        sign_in(staff_a)
        changelist = f"/alpha/admin/{model._meta.app_label}/{model._meta.model_name}/"
        listing = client.get(changelist)
        assert listing.status_code == 200
        shown = {obj.pk for obj in listing.context["cl"].result_list}
        assert own.pk in shown and other.pk not in shown
        assert client.get(f"/alpha{admin_change_url(own)}").status_code == 200
        # Another tenant's row by id answers exactly like a row that does not exist.
        assert client.get(f"/alpha{admin_change_url(other)}").status_code == 404
        missing = admin_change_url(own).replace(f"/{quote(own.pk)}/", "/999999/")
        assert client.get(f"/alpha{missing}").status_code == 404
        delete_url = f"/alpha{admin_change_url(other)}".replace("/change/", "/delete/")
        assert client.post(delete_url, {"post": "yes"}).status_code in (403, 404)
        assert model.objects.filter(pk=other.pk).exists()

    def test_staff_of_a_is_not_staff_on_b(self, client, sign_in, staff_a, tenant_b):
        sign_in(staff_a)
        response = client.get("/beta/admin/")
        assert response.status_code == 302 and response["Location"].startswith("/beta/admin/login/")
        login = client.post(
            "/beta/admin/login/", {"username": staff_a.identifier, "password": "Correct-Horse-Battery-42"}
        )
        assert login.status_code == 200 and not login.wsgi_request.user.is_authenticated

    def test_people_who_are_not_staff_cannot_enter_the_help_desk(self, client, sign_in, user_a):
        sign_in(user_a)
        assert client.get("/alpha/admin/").status_code == 302

    def test_help_desk_cannot_make_anyone_staff_or_see_passwords(self, client, sign_in, staff_a, user_a):
        sign_in(staff_a)
        page = client.get(f"/alpha{admin_change_url(user_a)}").content.decode()
        assert 'name="is_staff"' not in page
        assert 'name="password"' not in page and user_a.password not in page

    def test_help_desk_adds_a_person_and_a_duplicate_gets_a_message(self, client, sign_in, staff_a, user_a):
        sign_in(staff_a)
        form = {
            "identifier": "n000777",
            "first_name": "Nouvelle",
            "last_name": "Personne",
            "email": "Nouvelle@Example.test",
            "preferred_language": "fr-ca",
            "is_active": "on",
        }
        assert client.post("/alpha/admin/accounts/user/add/", form).status_code == 302
        created = User.objects.for_tenant(staff_a.tenant).get(identifier="N000777")
        assert created.email == "nouvelle@example.test" and not created.has_usable_password()
        duplicate = client.post("/alpha/admin/accounts/user/add/", {**form, "identifier": "A000001"})
        assert duplicate.status_code == 200
        assert duplicate.context["adminform"].form.errors["identifier"]
        assert AuditEntry.objects.for_tenant(staff_a.tenant).filter(action="admin.object_added").count() == 1

    def test_changes_in_the_help_desk_are_audited(self, client, sign_in, staff_a, user_a):
        sign_in(staff_a)
        form = {
            "first_name": "Alicia",
            "last_name": user_a.last_name,
            "email": user_a.email,
            "preferred_language": "en",
            "is_active": "on",
        }
        assert client.post(f"/alpha{admin_change_url(user_a)}", form).status_code == 302
        entry = AuditEntry.objects.for_tenant(staff_a.tenant).get(action="admin.object_changed")
        assert entry.actor == staff_a and entry.target_id == str(user_a.pk)
        assert entry.details == {"fields": ["first_name", "preferred_language"]}

    def test_send_test_email_action(
        self, client, sign_in, staff_a, user_a, mailoutbox, django_capture_on_commit_callbacks
    ):
        sign_in(staff_a)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/alpha/admin/accounts/user/",
                {"action": "send_test_email", "_selected_action": [user_a.pk]},
                follow=True,
            )
        assert response.status_code == 200
        [mail] = mailoutbox
        assert mail.to == [user_a.email]
        assert OutboundEmail.objects.for_tenant(staff_a.tenant).get().status == OutboundEmail.Status.SENT
        assert AuditEntry.objects.for_tenant(staff_a.tenant).filter(action="mail.test_sent").count() == 1

    def test_audit_log_is_read_only_in_the_help_desk(self, client, sign_in, staff_a):
        entry = record_audit(tenant=staff_a.tenant, actor=staff_a, action="auth.signed_in")
        sign_in(staff_a)
        url = f"/alpha{admin_change_url(entry)}"
        page = client.get(url)
        assert page.status_code == 200 and b'type="submit"' not in page.content.split(b'id="content-main"')[1]
        assert client.post(url.replace("/change/", "/delete/"), {"post": "yes"}).status_code == 403


def settings_rows(**rows):
    """The platform admin's tenant form posts each module's settings as a one-row inline."""
    data = {}
    for prefix, values in rows.items():
        data.update({f"{prefix}-TOTAL_FORMS": 1, f"{prefix}-INITIAL_FORMS": 0, f"{prefix}-MIN_NUM_FORMS": 1})
        data.update({f"{prefix}-MAX_NUM_FORMS": 1})
        data.update({f"{prefix}-0-{name}": value for name, value in values.items()})
    return data


@pytest.mark.django_db
class TestPlatformAdmin:
    @pytest.fixture
    def superuser(self, db):
        return User.objects.create_superuser("root", "root@portail.example", "Platform-Password-2026")

    def sign_in_platform(self, client):
        response = client.post(
            "/admin/login/?next=/admin/", {"username": "root", "password": "Platform-Password-2026"}
        )
        assert response.status_code == 302

    def test_superuser_sees_every_tenant_and_creates_one(self, client, superuser, tenant_a, tenant_b):
        self.sign_in_platform(client)
        listing = client.get("/admin/portal/tenant/")
        assert {t.slug for t in listing.context["cl"].result_list} == {"alpha", "beta"}
        form = {
            "slug": "gamma",
            "name_fr": "Gamma",
            "name_en": "Gamma",
            "is_active": "on",
            "modules": ["vault"],
            "accent_colour": "#224466",
            "helpdesk_fr": "",
            "helpdesk_en": "",
            "time_zone": "America/Toronto",
            **settings_rows(
                account_settings={
                    "sign_in_with": "email",
                    "password_min_length": 15,
                    "password_history_count": 5,
                    "session_idle_minutes": 60,
                    "session_max_hours": 24,
                    "allow_password_reset": "on",
                    "lockout_threshold": 3,
                    "lockout_minutes": 120,
                    "device_policy": "alternative",
                },
                selfservice_settings={"security_question_count": 3, "helpdesk_question_count": 1},
                messaging_settings={
                    "message_expiry_days": 30,
                    "conversation_quota_gb": 20,
                    "blocked_file_types": "exe",
                },
            ),
        }
        assert client.post("/admin/portal/tenant/add/", form).status_code == 302
        gamma = Tenant.objects.get(slug="gamma")
        assert gamma.modules == ["vault"]
        assert gamma.account_settings.lockout_threshold == 3
        assert gamma.messaging_settings.message_expiry_days == 30
        assert client.get("/gamma/").status_code == 200
        assert AuditEntry.objects.for_tenant(gamma).filter(action="tenant.created").exists()

    def change_form(self, client, tenant):
        """The tenant's change page as a browser would post it back, unchanged."""
        page = client.get(f"/admin/portal/tenant/{tenant.pk}/change/")
        assert page.status_code == 200
        data = {}
        forms = [page.context["adminform"].form]
        for inline in page.context["inline_admin_formsets"]:
            formset = inline.formset
            data.update({f"{formset.prefix}-{k}": v for k, v in formset.management_form.initial.items()})
            forms += formset.forms
        for form in forms:
            for name in form.fields:
                value = form[name].value()
                if value in (None, False):
                    continue
                data[form.add_prefix(name)] = "on" if value is True else value
        return data

    def test_modules_are_ticked_from_the_registry_and_settings_are_edited_inline(
        self, client, superuser, tenant_b
    ):
        self.sign_in_platform(client)
        form = self.change_form(client, tenant_b)
        assert form["modules"] == ["selfservice"]
        form.update({"modules": ["selfservice", "voting"], "account_settings-0-lockout_minutes": 45})
        assert client.post(f"/admin/portal/tenant/{tenant_b.pk}/change/", form).status_code == 302
        tenant_b.refresh_from_db()
        assert tenant_b.modules == ["selfservice", "voting"]
        assert tenant_b.account_settings.lockout_minutes == 45

    def test_a_device_required_without_the_self_service_module_is_saved(self, client, superuser, tenant_b):
        # The device pages are the core's, so this combination works (tests/accounts/test_devices.py).
        self.sign_in_platform(client)
        form = self.change_form(client, tenant_b)
        form.update({"modules": ["vault"], "account_settings-0-device_policy": "everyone"})
        assert client.post(f"/admin/portal/tenant/{tenant_b.pk}/change/", form).status_code == 302
        tenant_b.refresh_from_db()
        assert tenant_b.modules == ["vault"]
        assert tenant_b.account_settings.device_policy == "everyone"

    def test_superuser_grants_help_desk_access_with_an_audit_entry(self, client, superuser, user_a):
        self.sign_in_platform(client)
        form = {
            "tenant": user_a.tenant_id,
            "identifier": user_a.identifier,
            "first_name": user_a.first_name,
            "last_name": user_a.last_name,
            "email": user_a.email,
            "preferred_language": "fr-ca",
            "is_active": "on",
            "is_staff": "on",
        }
        assert client.post(f"/admin/accounts/user/{user_a.pk}/change/", form).status_code == 302
        user_a.refresh_from_db()
        assert user_a.is_staff
        entry = AuditEntry.objects.for_tenant(user_a.tenant).get(action="admin.object_changed")
        assert entry.actor == superuser and entry.details == {"fields": ["is_staff"]}

    def test_platform_admin_refuses_a_duplicate_identifier_typed_in_lower_case(
        self, client, superuser, user_a
    ):
        self.sign_in_platform(client)
        form = {
            "tenant": user_a.tenant_id,
            "identifier": user_a.identifier.lower(),
            "email": "",
            "preferred_language": "fr-ca",
            "is_active": "on",
        }
        response = client.post("/admin/accounts/user/add/", form)
        assert response.status_code == 200
        assert response.context["adminform"].form.errors
        form["identifier"] = "new-person"
        assert client.post("/admin/accounts/user/add/", form).status_code == 302
        created = User.objects.for_tenant(user_a.tenant).get(identifier="NEW-PERSON")
        assert not created.has_usable_password()

    def test_platform_accounts_do_not_sign_in_on_a_tenant(self, client, superuser, tenant_a):
        client.post("/alpha/admin/login/", {"username": "root", "password": "Platform-Password-2026"})
        assert not client.get("/alpha/admin/").wsgi_request.user.is_authenticated

    def test_help_desk_staff_cannot_enter_the_platform_admin(self, client, sign_in, staff_a):
        sign_in(staff_a)
        assert client.get("/admin/").status_code == 302
        client.post("/admin/login/", {"username": staff_a.identifier, "password": "Correct-Horse-Battery-42"})
        assert client.get("/admin/").status_code == 302

    def test_a_tenant_account_can_never_be_superuser(self, user_a):
        from django.db import IntegrityError, transaction

        user_a.is_superuser = True
        with pytest.raises(IntegrityError), transaction.atomic():
            user_a.save()
