"""A tenant's mail comes under the tenant's name, in the mail's language, from the portal's address."""

from email.utils import parseaddr

import pytest
from django.core.mail.message import sanitize_address

from portal.mail import send_templated_mail
from tests.factories import TenantFactory, UserFactory


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language, name", [("fr", "Coffre-fort démo"), ("en", "Demo Vault")])
def test_mail_leaves_under_the_tenants_name(mailoutbox, settings, language, name):
    settings.DEFAULT_FROM_EMAIL = "Portail <no-reply@portail.example>"
    tenant = TenantFactory(slug="vault-mail", name_fr="Coffre-fort démo", name_en="Demo Vault")
    person = UserFactory(tenant=tenant, identifier="V1", email="v1@example.test")
    send_templated_mail(
        tenant=tenant, to=person.email, language=language, template="test_message", context={"user": person}
    )
    [delivered] = mailoutbox
    assert delivered.from_email.endswith("<no-reply@portail.example>")
    assert "Portail" not in delivered.from_email
    encoded = sanitize_address(delivered.from_email, "utf-8")
    assert encoded.endswith("<no-reply@portail.example>")
    assert parseaddr(delivered.from_email) == (name, "no-reply@portail.example")


@pytest.mark.django_db(transaction=True)
def test_a_name_cannot_add_a_header(mailoutbox, settings):
    tenant = TenantFactory(
        slug="evil-mail", name_en="Evil\nBcc: x@evil.test", name_fr="Evil\r\nBcc: x@evil.test"
    )
    person = UserFactory(tenant=tenant, identifier="V2", email="v2@example.test")
    send_templated_mail(
        tenant=tenant, to=person.email, language="en", template="test_message", context={"user": person}
    )
    [delivered] = mailoutbox
    assert "\n" not in delivered.from_email and delivered.bcc == []
    assert "Bcc" not in str(delivered.message()).split("\n\n")[0].replace("Evil Bcc: x@evil.test", "")
