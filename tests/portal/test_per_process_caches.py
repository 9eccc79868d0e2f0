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
