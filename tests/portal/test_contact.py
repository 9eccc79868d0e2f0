"""The help desk is called at a number and written to at an address: the wording follows the contact."""

import pytest

from portal.contact import contact_kind, reach_helpdesk
from tests.factories import TenantFactory


@pytest.mark.parametrize(
    "text, kind",
    [
        ("Service d’assistance (démo) : 1-800-555-0100", "phone"),
        ("Soutien informatique (démo) : 514-555-0150, poste 5050", "phone"),
        ("Adhésions (démo) : adhesions@syndicat.example", "email"),
        ("Assistance (démo) : aide@coffre.example", "email"),
        ("Help desk: +1 (514) 555-0150 or help@example.org", "other"),
        ("Ask your manager", "other"),
    ],
)
def test_the_kind_of_contact_is_read_from_its_text(text, kind):
    assert contact_kind(text) == kind


@pytest.mark.django_db
def test_an_address_is_written_to_a_number_is_called():
    from django.utils import translation

    mail_desk = TenantFactory(slug="mail-desk", helpdesk_fr="Assistance : aide@coffre.example")
    phone_desk = TenantFactory(slug="phone-desk", helpdesk_fr="Assistance : 1-800-555-0100")
    with translation.override("fr"):
        assert (
            reach_helpdesk(mail_desk) == "Écrivez au service d’assistance : Assistance : aide@coffre.example"
        )
        assert reach_helpdesk(phone_desk).startswith("Appelez le service d’assistance")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "contact, said",
    [
        ("Support: aide@coffre.example", "If it was not you, write to the help desk now (below)."),
        ("Help desk: 1-800-555-0100", "If it was not you, call the help desk now (below)."),
    ],
)
def test_a_mail_calls_a_number_and_writes_to_an_address(mailoutbox, contact, said):
    from portal.mail import send_templated_mail
    from tests.factories import UserFactory

    tenant = TenantFactory(slug="mail-words", helpdesk_en=contact)
    person = UserFactory(tenant=tenant, identifier="W1", email="w1@example.test")
    send_templated_mail(
        tenant=tenant, to=person.email, language="en", template="password_changed", context={"user": person}
    )
    [delivered] = mailoutbox
    assert said in delivered.body
    assert said in delivered.alternatives[0][0]
