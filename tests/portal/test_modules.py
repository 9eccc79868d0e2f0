"""Modules plug in through their AppConfig; a module a tenant has not switched on is gone for it."""

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse

from accounts.selfservice.models import SecurityQuestion
from portal.audit import action_label
from portal.models import Tenant
from portal.modules import tenants_with
from tests.factories import TenantFactory, UserFactory

pytestmark = pytest.mark.django_db


def cards(response) -> list[str]:
    return [card["name"] for card in response.context["cards"]]


class TestAModuleOnlyTheTestsKnow:
    """The library module lives in tests/: nothing in portal/ names it."""

    @pytest.fixture(autouse=True)
    def installed(self):
        with override_settings(
            INSTALLED_APPS=[*settings.INSTALLED_APPS, "tests.portal.library"],
            TENANT_URLCONF="tests.portal.urls_with_library",
        ):
            yield

    @pytest.fixture
    def readers(self):
        return TenantFactory(slug="readers", modules=["library"])

    @pytest.fixture
    def others(self):
        return TenantFactory(slug="others", modules=["selfservice"])

    def test_on_it_has_its_card_its_pages_and_its_menu_entry(self, client, readers, sign_in):
        home = client.get("/readers/")
        assert cards(home) == ["Lending library"]
        assert '<a href="/readers/library/">Lending library</a>' in home.content.decode()
        assert client.get("/readers/library/").content == b"books of readers"
        sign_in(UserFactory(tenant=readers, identifier="R1"))
        assert '<a href="/readers/library/">My loans</a>' in client.get("/readers/").content.decode()

    def test_off_it_answers_404_and_shows_no_card(self, client, others, sign_in):
        assert client.get("/others/library/").status_code == 404
        assert "Lending library" not in cards(client.get("/others/"))
        sign_in(UserFactory(tenant=others, identifier="O1"))
        assert "My loans" not in client.get("/others/").content.decode()

    def test_scoped_one_tenant_switching_it_on_does_not_open_it_elsewhere(self, client, readers, others):
        assert client.get("/readers/library/").status_code == 200
        assert client.get("/others/library/").status_code == 404
        assert tenants_with("library") == [readers]

    def test_its_key_is_a_tenant_choice_and_its_audit_labels_are_known(self, readers):
        readers.full_clean()
        assert action_label("library.book_borrowed") == "Book borrowed"


def test_a_key_no_installed_module_declares_is_refused():
    tenant = TenantFactory.build(slug="typo", modules=["selfservice", "library"])
    with pytest.raises(ValidationError) as error:
        tenant.full_clean()
    assert "library" in str(error.value.message_dict["modules"])


def test_a_required_device_is_accepted_without_the_self_service_module():
    """The device pages are the core's: a tenant without self-service may require the device
    (tests/accounts/test_devices.py signs such a tenant's person in)."""
    tenant = TenantFactory(slug="nodevice", modules=["vault"])
    policy = tenant.account_settings
    policy.device_policy = policy.DevicePolicy.EVERYONE
    policy.full_clean()
    tenant.full_clean()


def test_every_new_tenant_has_the_settings_of_every_module():
    tenant = Tenant.objects.create(slug="fresh", name_fr="Frais", name_en="Fresh")
    tenant = Tenant.objects.get(pk=tenant.pk)
    assert tenant.account_settings.lockout_threshold == 5
    assert tenant.selfservice_settings.security_question_count == 3
    assert tenant.messaging_settings.message_expiry_days == 90


class TestHomeCards:
    def test_a_module_with_pages_is_a_link_to_its_entry_page(self, client, tenant_a):
        page = client.get("/alpha/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert '<a href="/alpha/self-service/">Password and identity</a>' in page

    def test_a_module_without_pages_yet_says_it_is_coming_instead_of_leading_nowhere(self, client, tenant_a):
        tenant_a.modules = [*tenant_a.modules, "vault"]
        tenant_a.save()
        page = client.get("/alpha/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "<h3>Payslip vault</h3>" in page and "Coming soon" in page
        assert '<a href="/alpha/messages/">Secure conversations</a>' in page

    def test_cards_follow_the_tenant_and_are_in_its_visitors_language(self, client, tenant_b):
        page = client.get("/beta/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
        assert "Mot de passe et identité" in page and "Conversations sécurisées" not in page


class TestHelpDeskOfAModuleThatIsOff:
    """A tenant without the self-service module: its help desk has none of that module's pages."""

    @pytest.fixture
    def desk(self, client, sign_in):
        tenant = TenantFactory(slug="noself", modules=["vault"])
        sign_in(UserFactory(tenant=tenant, identifier="AGENT", is_staff=True))
        question = SecurityQuestion.objects.create(tenant=tenant, text_fr="Q?", text_en="Q?")
        return client, tenant, question

    def url(self, tenant, name, *args):
        model = SecurityQuestion._meta
        path = reverse(
            f"helpdesk:{model.app_label}_{model.model_name}_{name}",
            args=args,
            urlconf=settings.TENANT_URLCONF,
        )
        return f"/{tenant.slug}{path}"

    def test_the_index_does_not_list_its_models(self, desk):
        client, tenant, _question = desk
        index = client.get(f"/{tenant.slug}/admin/")
        assert index.status_code == 200
        listed = {m["object_name"] for app in index.context["app_list"] for m in app["models"]}
        assert "User" in listed and "SecurityQuestion" not in listed

    def test_its_pages_answer_404(self, desk):
        client, tenant, question = desk
        for url in [
            self.url(tenant, "changelist"),
            self.url(tenant, "change", question.pk),
            self.url(tenant, "history", question.pk),
        ]:
            assert client.get(url).status_code == 404, url

    def test_the_caller_check_on_a_persons_page_answers_404(self, desk):
        client, tenant, _question = desk
        person = UserFactory(tenant=tenant, identifier="P1")
        assert client.get(f"/{tenant.slug}/admin/accounts/user/{person.pk}/verify-caller/").status_code == 404

    def test_the_persons_page_is_the_cores_without_the_modules_part(self, desk):
        client, tenant, _question = desk
        person = UserFactory(tenant=tenant, identifier="P2")
        listing = client.get(f"/{tenant.slug}/admin/accounts/user/")
        assert listing.status_code == 200
        assert "disable_questions" not in listing.content.decode()
        page = client.get(f"/{tenant.slug}/admin/accounts/user/{person.pk}/change/")
        assert page.status_code == 200
        assert "verify-caller" not in page.content.decode()

    def test_the_same_pages_open_where_the_module_is_on(self, client, sign_in, staff_a):
        sign_in(staff_a)
        question = SecurityQuestion.objects.create(tenant=staff_a.tenant, text_fr="Q?", text_en="Q?")
        assert client.get(self.url(staff_a.tenant, "changelist")).status_code == 200
        assert client.get(self.url(staff_a.tenant, "change", question.pk)).status_code == 200
        person = UserFactory(tenant=staff_a.tenant, identifier="P3")
        assert (
            "disable_questions" in client.get(f"/{staff_a.tenant.slug}/admin/accounts/user/").content.decode()
        )
        page = client.get(f"/{staff_a.tenant.slug}/admin/accounts/user/{person.pk}/change/").content.decode()
        assert "verify-caller" in page


def test_mistakes_in_a_module_declaration_are_reported_at_start_up():
    from portal.checks import module_errors
    from portal.modules import Module, all_modules

    assert module_errors(all_modules()) == []
    twins = [Module(key="twin", name="A", namespace="twin"), Module(key="twin", name="B", namespace="twin")]
    assert [e.id for e in module_errors(twins)] == ["portal.E101", "portal.E102"]
    unnamed = Module(key="pages", name="Pages", urls="tests.portal.library.urls")
    assert [e.id for e in module_errors([unnamed])] == ["portal.E103"]
    loose = Module(key="loose", name="Loose", settings_model="selfservice.SecurityQuestion")
    assert [e.id for e in module_errors([loose])] == ["portal.E104"]


def test_modules_are_a_list_of_keys():
    with pytest.raises(ValidationError):
        TenantFactory.build(slug="lone", modules="vault").full_clean()
