import pytest
from django.urls import reverse

from portal.tenancy import tenant_url
from tests.factories import TenantFactory


@pytest.mark.django_db
class TestRouting:
    def test_platform_home_lists_active_tenants_only(self, client, tenant_a):
        TenantFactory(slug="closed", name_fr="Fermé", name_en="Closed", is_active=False)
        response = client.get("/")
        assert response.status_code == 200
        assert b'href="/alpha/"' in response.content
        assert b"/closed/" not in response.content

    def test_tenant_home_shows_its_name_and_help_desk(self, client, tenant_a):
        response = client.get("/alpha/")
        assert response.status_code == 200
        assert response.wsgi_request.tenant == tenant_a
        assert b"Alpha FR" in response.content
        assert "Assistance : 1-800-555-0199" in response.content.decode()

    def test_unknown_slug_is_404(self, client, tenant_a):
        assert client.get("/nowhere/").status_code == 404
        assert client.get("/nowhere/sign-in/").status_code == 404

    def test_inactive_tenant_is_404(self, client):
        TenantFactory(slug="closed", is_active=False)
        assert client.get("/closed/").status_code == 404

    def test_slug_without_slash_redirects(self, client, tenant_a):
        response = client.get("/alpha")
        assert response.status_code == 301
        assert response["Location"] == "/alpha/"
        assert client.get("/alpha?next=/x/")["Location"] == "/alpha/?next=/x/"

    def test_links_inside_a_tenant_page_stay_under_its_prefix(self, client, tenant_a):
        response = client.get("/alpha/")
        assert b'href="/alpha/sign-in/"' in response.content
        # The prefix is restored after the request: reverse() outside a request is unprefixed.
        assert reverse("home") == "/"

    def test_tenant_url_uses_configured_base_not_host_header(self, client, tenant_a, settings):
        settings.PORTAIL_BASE_URL = "https://portail.example"
        client.get("/alpha/", HTTP_HOST="127.0.0.1")
        assert tenant_url(tenant_a, "accounts:login") == "https://portail.example/alpha/sign-in/"

    def test_tenant_theme_uses_its_accent_colour(self, client, tenant_a):
        tenant_a.accent_colour = "#123456"
        tenant_a.save()
        response = client.get("/alpha/theme.css")
        assert response["Content-Type"].startswith("text/css")
        assert b"--accent: #123456" in response.content

    def test_reserved_slugs_are_refused(self, db):
        from django.core.exceptions import ValidationError

        tenant = TenantFactory.build(slug="admin")
        with pytest.raises(ValidationError):
            tenant.full_clean()


@pytest.mark.django_db
class TestModules:
    @pytest.fixture(autouse=True)
    def _module_urls(self, settings):
        settings.TENANT_URLCONF = "tests.portal.urls_with_module"

    def test_enabled_module_answers(self, client, tenant_a):
        assert tenant_a.has_module("messaging")
        response = client.get("/alpha/messages/")
        assert response.status_code == 200
        assert response.content == b"conversations of alpha"

    def test_disabled_module_is_404(self, client, tenant_b):
        assert not tenant_b.has_module("messaging")
        assert client.get("/beta/messages/").status_code == 404

    def test_tenant_time_zone_is_active_during_its_requests_only(self, client, tenant_a, tenant_b):
        from django.utils import timezone

        tenant_a.time_zone = "Europe/Paris"
        tenant_a.save()
        assert client.get("/alpha/tz/").content == b"Europe/Paris"
        assert client.get("/beta/tz/").content == b"America/Toronto"
        assert timezone.get_current_timezone_name() != "Europe/Paris"


@pytest.mark.django_db
class TestTenantDirectory:
    def test_one_query_serves_every_tenant_until_it_expires(
        self, client, tenant_a, tenant_b, settings, django_assert_num_queries
    ):
        settings.TENANT_CACHE_SECONDS = 30
        client.get("/alpha/")
        with django_assert_num_queries(0):
            client.get("/beta/theme.css")
            client.get("/alpha/theme.css")
        settings.TENANT_CACHE_SECONDS = 0  # as if the half-minute had passed: read again
        with django_assert_num_queries(1):
            client.get("/alpha/theme.css")

    def test_a_change_saved_in_this_process_is_seen_at_once(self, client, tenant_a, settings):
        settings.TENANT_CACHE_SECONDS = 30
        assert client.get("/alpha/").status_code == 200
        tenant_a.is_active = False
        tenant_a.save()
        assert client.get("/alpha/").status_code == 404

    def test_a_request_cannot_change_the_tenant_the_next_one_gets(self, client, tenant_a, rf, settings):
        from portal.tenancy import tenant_directory

        settings.TENANT_CACHE_SECONDS = 30
        first = tenant_directory.get("alpha")
        first.name_fr = "Changed in memory"
        assert tenant_directory.get("alpha").name_fr == "Alpha FR"

    def test_a_request_cannot_change_the_settings_rows_the_next_one_gets(self, client, tenant_a, settings):
        from portal.modules import settings_accessors
        from portal.tenancy import tenant_directory

        settings.TENANT_CACHE_SECONDS = 30
        first = tenant_directory.get("alpha")
        accessors = settings_accessors()
        assert accessors and all(name in first._state.fields_cache for name in accessors)
        for name in accessors:
            row = getattr(first, name)
            assert row.tenant is first and not row._state.adding and row._state.db == "default"
            row.changed_in_memory = True
        first.account_settings.session_idle_minutes = 1
        first._state.fields_cache.clear()
        second = tenant_directory.get("alpha")
        assert second is not first and second.pk == first.pk and not second._state.adding
        for name in accessors:
            assert name in second._state.fields_cache  # still loaded with the tenant: no query
            row = getattr(second, name)
            assert row.tenant is second and not hasattr(row, "changed_in_memory")
        assert second.account_settings.session_idle_minutes != 1


@pytest.mark.django_db
class TestBranding:
    @pytest.mark.parametrize("colour", ["#1d4f91", "#a3141d", "#005a8c", "#4a2a7a", "#1b5e4a"])
    def test_dark_accents_are_accepted(self, colour):
        TenantFactory.build(slug="ok", accent_colour=colour).full_clean()

    @pytest.mark.parametrize("colour", ["#ffbf47", "#ffffff", "#7fb2e5", "red", "#12345"])
    def test_accents_that_white_text_cannot_sit_on_are_refused(self, colour):
        from django.core.exceptions import ValidationError

        with pytest.raises(ValidationError) as error:
            TenantFactory.build(slug="ok", accent_colour=colour).full_clean()
        assert "accent_colour" in error.value.message_dict
