"""Recovery where people look for it: the sign-in page leads into self-service, each tenant's own word
for its identifier, the sign-in filled in once the identifier is found."""

import pytest
from django.test import Client

from tests.factories import TenantFactory, UserFactory
from tests.portal.test_forms_markup import page, text

pytestmark = pytest.mark.django_db


def links(response) -> dict:
    shown = page(response)
    return {text(a): a["href"] for a in shown.find("a")}


def test_sign_in_with_self_service_leads_a_forgotten_password_and_identifier_there(client, poste):
    found = links(client.get(f"/{poste.slug}/sign-in/"))
    assert found["Forgot your password?"] == f"/{poste.slug}/self-service/password/forgot/"
    assert found["I don't know my user ID"] == f"/{poste.slug}/self-service/identifier/forgot/"
    # The mailed link stays one of the ways, from the self-service page.
    ways = links(client.get(f"/{poste.slug}/self-service/password/forgot/"))
    mailed = ways["Receive a link by e-mail instead (to the address on file)"]
    assert mailed == f"/{poste.slug}/password/forgot/"


def test_sign_in_without_self_service_keeps_the_mailed_link(client):
    tenant = TenantFactory(slug="plain-t", modules=[], allow_password_reset=True)
    found = links(client.get(f"/{tenant.slug}/sign-in/"))
    assert found["Forgot your password?"] == f"/{tenant.slug}/password/forgot/"


def test_a_tenant_that_signs_in_with_a_code_says_code_everywhere(db):
    tenant = TenantFactory(slug="univ-t", sign_in_with="code")
    french = Client(HTTP_ACCEPT_LANGUAGE="fr")
    sign_in = links(french.get(f"/{tenant.slug}/sign-in/"))
    assert sign_in["Je ne connais pas mon code d’accès"] == f"/{tenant.slug}/self-service/identifier/forgot/"
    french.post(f"/{tenant.slug}/self-service/sign-in/", {"identifier": "DEMO12345"})
    methods = french.get(f"/{tenant.slug}/self-service/sign-in/methods/").content.decode()
    assert "identifiant" not in methods[methods.index("<main") : methods.index("</main>")]
    paths = ("self-service/sign-in/", "self-service/password/forgot/", "self-service/identifier/forgot/")
    for path in (*paths, "self-service/unlock/"):
        html = french.get(f"/{tenant.slug}/{path}").content.decode()
        shown = html[html.index("<main") : html.index("</main>")]
        assert "identifiant" not in shown, path
        assert "code d’accès" in shown.lower(), path


def test_the_sign_in_form_is_filled_in_once_the_identifier_is_found(client, submit, alex):
    tenant = alex.tenant
    client.get(f"/{tenant.slug}/self-service/identifier/forgot/")
    found = submit(
        f"/{tenant.slug}/self-service/identifier/forgot/pin/", {"employee_number": "100200", "pin": "4321"}
    )
    shown = links(client.get(found["Location"]))
    sign_in = page(client.get(shown["Sign in"]))
    assert sign_in.one("input", name="username")["value"] == "DEMO12345"
    again = page(client.get(f"/{tenant.slug}/sign-in/"))
    assert not again.one("input", name="username").get("value"), "offered once"


def test_forgotten_password_asks_the_address_once_where_it_is_the_identifier(client, submit):
    from django.core import mail

    tenant = TenantFactory(slug="union-t", sign_in_with="email", modules=[], allow_password_reset=True)
    member = UserFactory(tenant=tenant, identifier="m@example.org", email="m@example.org")
    form = page(client.get(f"/{tenant.slug}/password/forgot/"))
    fields = [c for c in form.controls()]
    assert [(c["name"], c["type"]) for c in fields] == [("identifier", "email")]
    assert "Give the e-mail address you sign in with." in text(form.one("main"))
    submit(f"/{tenant.slug}/password/forgot/", {"identifier": "M@example.org"})
    assert [m.to for m in mail.outbox] == [[member.email]]


def test_a_second_mail_within_the_minute_is_announced_on_the_page(client, submit):
    from django.core import mail

    tenant = TenantFactory(slug="mail-t", modules=[], allow_password_reset=True)
    person = UserFactory(tenant=tenant, identifier="P1")
    data = {"identifier": "P1", "email": person.email}
    first = submit(f"/{tenant.slug}/password/forgot/", data)
    second = submit(f"/{tenant.slug}/password/forgot/", data)
    assert len(mail.outbox) == 1, "one mail a minute per account"
    said = text(page(second).one("main"))
    assert "at most one e-mail per account every 60 seconds" in said
    assert "wait 60 seconds before asking again" in said
    assert text(page(first).one("main")) == said, "the page is the same whatever happened"


@pytest.mark.parametrize(
    "contact, said",
    [
        ("Members: m@union.example", "Write to the help desk: Members: m@union.example"),
        ("IT support: 514-555-0150, extension 5050", "Call the help desk: IT support: 514-555-0150"),
    ],
)
def test_the_pages_call_a_number_and_write_to_an_address(client, submit, contact, said):
    tenant = TenantFactory(slug="desk-t", modules=[], allow_password_reset=True, helpdesk_en=contact)
    response = submit(f"/{tenant.slug}/password/forgot/", {"identifier": "X", "email": "x@x.test"})
    assert said in text(page(response).one("main"))
