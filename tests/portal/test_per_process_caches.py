"""What the per-process caches of the page (the CSP header, the base template's addresses) still
show: each tenant its own addresses, each response its own policy when a view asks for one."""

import pytest
from csp.constants import NONCE
from csp.decorators import csp_update
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from portal.csp import CSPMiddleware


@pytest.mark.django_db
def test_each_tenant_page_links_to_its_own_addresses(client, tenant_a, tenant_b):
    # Twice each, so that the second visit of alpha comes after beta filled the cache too.
    for slug, other in (("alpha", "beta"), ("beta", "alpha"), ("alpha", "beta"), ("beta", "alpha")):
        page = client.get(f"/{slug}/sign-in/").content.decode()
        assert f'class="brand" href="/{slug}/"' in page
        assert f'href="/{slug}/privacy/"' in page
        assert f"/{other}/" not in page


@pytest.mark.django_db
def test_each_signed_in_page_signs_out_of_its_own_tenant(client, sign_in, user_a, user_b):
    for user, other in ((user_a, "beta"), (user_b, "alpha")):
        sign_in(user)
        page = client.get(f"/{user.tenant.slug}/").content.decode()
        assert f'action="/{user.tenant.slug}/sign-out/"' in page
        assert f"/{other}/" not in page


def test_a_change_of_policy_is_sent_at_once():
    middleware = CSPMiddleware(lambda request: HttpResponse())
    request = RequestFactory().get("/")
    assert "frame-ancestors 'none'" in middleware(request)["Content-Security-Policy"]
    policy = {"DIRECTIVES": {"default-src": ["'self'"], "frame-ancestors": ["'self'"]}}
    with override_settings(CONTENT_SECURITY_POLICY=policy):
        header = middleware(RequestFactory().get("/"))["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in header and "'none'" not in header


def test_a_view_that_widens_the_policy_gets_its_own_header_and_no_other_view_does():
    @csp_update({"img-src": ["https://images.example"]})
    def widened(request):
        return HttpResponse()

    middleware = CSPMiddleware(widened)
    assert "https://images.example" in middleware(RequestFactory().get("/"))["Content-Security-Policy"]
    plain = CSPMiddleware(lambda request: HttpResponse())
    assert "https://images.example" not in plain(RequestFactory().get("/"))["Content-Security-Policy"]


def test_a_nonce_used_by_the_page_is_in_the_header():
    def uses_nonce(request):
        return HttpResponse(str(request.csp_nonce))

    middleware = CSPMiddleware(uses_nonce)
    policy = {"DIRECTIVES": {"default-src": ["'self'"], "script-src": ["'self'", NONCE]}}
    with override_settings(CONTENT_SECURITY_POLICY=policy):
        for _ in range(2):  # a fresh nonce each time, never the header of another response
            request = RequestFactory().get("/")
            middleware.process_request(request)
            response = middleware.process_response(request, uses_nonce(request))
            assert f"'nonce-{response.content.decode()}'" in response["Content-Security-Policy"]


# --- Parts of a page rendered once per tenant ({% per_tenant %}, portal/templatetags/per_tenant.py) ---


@pytest.mark.parametrize(
    "inside",
    [
        "{{ user.first_name }}",
        "{% csrf_token %}",
        "{% if user.is_staff %}x{% endif %}",
        "{{ request.get_full_path }}",
        "{% for m in messages %}{{ m }}{% endfor %}",
        "{% if tenant %}{% blocktranslate with name=user.get_short_name %}Hi {{ name }}"
        "{% endblocktranslate %}{% endif %}",
    ],
)
def test_a_part_rendered_per_tenant_cannot_hold_what_differs_per_person(inside):
    from django.template import Template, TemplateSyntaxError

    with pytest.raises(TemplateSyntaxError, match="rendered once for every person"):
        Template("{% load i18n per_tenant %}{% per_tenant 'part' %}<p>" + inside + "</p>{% endper_tenant %}")


def test_a_part_rendered_per_tenant_holds_no_block():
    from django.template import Template, TemplateSyntaxError

    with pytest.raises(TemplateSyntaxError, match="block"):
        Template("{% load per_tenant %}{% per_tenant 'part' %}{% block x %}{% endblock %}{% endper_tenant %}")


@pytest.mark.django_db
def test_a_tenants_new_help_desk_text_is_on_its_next_page(client, tenant_a, tenant_b):
    client.get("/alpha/")  # the parts of alpha's page are now kept
    client.get("/beta/")
    tenant_a.helpdesk_fr = "Composez le 514 555 0000"
    tenant_a.save()  # clears this process's tenant directory: the next page reads the tenant again
    page = client.get("/alpha/").content.decode()
    assert "Composez le 514 555 0000" in page
    assert "Composez le 514 555 0000" not in client.get("/beta/").content.decode()


@pytest.mark.django_db
def test_each_tenant_and_language_has_its_own_parts(client, tenant_a, tenant_b):
    for _ in range(2):
        for slug, name in (("alpha", "Alpha FR"), ("beta", "Bêta FR")):
            page = client.get(f"/{slug}/").content.decode()
            assert f'class="brand" href="/{slug}/">{name}</a>' in page
    client.cookies["django_language"] = "en"
    page = client.get("/alpha/").content.decode()
    assert 'class="brand" href="/alpha/">Alpha EN</a>' in page and "Need help?" in page


@pytest.mark.django_db
def test_two_people_of_one_tenant_each_get_their_own_name_menu_and_token(sign_in, user_a, staff_a):
    from django.test import Client

    from tests.factories import UserFactory

    bob = UserFactory(tenant=user_a.tenant, identifier="A000002", first_name="Bob", last_name="Roy")
    pages = {}
    for person in (user_a, staff_a, bob):
        browser = sign_in(person, client=Client())
        pages[person.identifier] = (browser, browser.get("/alpha/").content.decode())
    assert "Alice" in pages["A000001"][1] and "Bob" not in pages["A000001"][1]
    assert "Bob Roy" in pages["A000002"][1] and "Alice" not in pages["A000002"][1]
    assert 'href="/alpha/admin/"' in pages["HELP-A"][1] and 'href="/alpha/admin/"' not in pages["A000002"][1]
    # Each page's language form carries that browser's own CSRF token: the switch works for each.
    for browser, page in pages.values():
        token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
        browser.enforce_csrf_checks = True
        browser.handler.enforce_csrf_checks = True
        answer = browser.post("/alpha/i18n/setlang/", {"language": "en", "csrfmiddlewaretoken": token})
        assert answer.status_code == 302


@pytest.mark.django_db
def test_the_home_page_lists_its_cards_only_when_it_renders_them(client, tenant_a):
    from unittest import mock

    from portal import views

    with mock.patch.object(views, "enabled_modules", wraps=views.enabled_modules) as listed:
        first = client.get("/alpha/").content.decode()
        assert listed.call_count == 1
        cards = first[first.index('<ul class="cards">') :].split("</ul>")[0]
        assert "<h3>" in cards and cards in client.get("/alpha/").content.decode()  # kept: not listed again
        assert listed.call_count == 1
        tenant_a.modules = [*tenant_a.modules, "vault"]
        tenant_a.save()
        assert (
            "Coming soon" not in first
            and "Coming soon" in client.get("/alpha/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        )
        assert listed.call_count == 2
