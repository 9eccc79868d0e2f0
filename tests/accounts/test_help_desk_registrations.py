"""E-mail registration requests: one address cannot bury the help desk under requests for the same
member (one pending request per member number and per address, a few a day per address), and the
agent sees what to check before approving."""

import re

import pytest

from accounts.models import EmailRegistration, Membership, User
from tests.factories import TenantFactory, UserFactory

from .conftest import link_path  # noqa: F401  (same conftest: the cache is cleared between tests)


@pytest.fixture
def syndicat(db):
    return TenantFactory(
        slug="syndicat-r",
        sign_in_with="email",
        modules=["voting"],
        allow_member_activation=True,
        allow_email_registration=True,
    )


@pytest.fixture
def remi(syndicat):
    member = User.objects.create_user(
        tenant=syndicat, identifier="M-913000", first_name="Rémi", last_name="Sansmail"
    )
    Membership.objects.create(tenant=syndicat, user=member, member_number="913000")
    return member


def ask(submit, tenant, *, number="913000", last_name="Sansmail", email="remi@maison.test"):
    data = {
        "member_number": number,
        "first_name": "Rémi",
        "last_name": last_name,
        "email": email,
        "email_confirm": email,
    }
    page = submit(f"/{tenant.slug}/register-email/", data)
    assert "Request received" in page.content.decode()  # the same answer whatever happened


def test_forty_requests_in_a_row_leave_one_pending_request(submit, syndicat, remi):
    for _ in range(40):
        ask(submit, syndicat)
    assert EmailRegistration.objects.for_tenant(syndicat).count() == 1


def test_one_pending_request_per_member_whatever_the_address(submit, syndicat, remi):
    ask(submit, syndicat, email="remi@maison.test")
    ask(submit, syndicat, email="someone.else@outside.test")
    assert list(EmailRegistration.objects.for_tenant(syndicat).values_list("email", flat=True)) == [
        "remi@maison.test"
    ]


def test_one_address_files_a_few_requests_a_day_at_most(submit, syndicat):
    for n in range(10):
        member = UserFactory(tenant=syndicat, identifier=f"M-{n}", last_name="Sansmail", email="")
        Membership.objects.create(tenant=syndicat, user=member, member_number=f"91400{n}")
        ask(submit, syndicat, number=f"91400{n}", email="sweeper@outside.test")
        EmailRegistration.objects.for_tenant(syndicat).update(status="refused")  # the desk keeps up
    assert EmailRegistration.objects.for_tenant(syndicat).count() == 3


def test_a_refused_request_can_be_made_again(submit, syndicat, remi):
    ask(submit, syndicat)
    EmailRegistration.objects.for_tenant(syndicat).update(status="refused")
    ask(submit, syndicat)
    assert EmailRegistration.objects.for_tenant(syndicat).filter(status="pending").count() == 1


def test_the_agent_sees_what_to_check_before_approving(client, submit, syndicat, remi):
    UserFactory(tenant=syndicat, identifier="taken@maison.test", email="taken@maison.test")
    ask(submit, syndicat)
    EmailRegistration.objects.for_tenant(syndicat).update(status="refused")
    ask(submit, syndicat, email="taken@maison.test")
    agent = UserFactory(tenant=syndicat, identifier="agent@syndicat.test", is_staff=True)
    client.force_login(agent)
    listing = client.get(f"/{syndicat.slug}/admin/accounts/emailregistration/")
    page = re.sub(r"\s+", " ", listing.content.decode())
    pending = EmailRegistration.objects.for_tenant(syndicat).get(status="pending")
    [row] = [tr for tr in re.findall(r"<tr.*?</tr>", page) if f'value="{pending.pk}"' in tr]
    assert "Rémi Sansmail" in row  # the matching account's name
    assert "M-913000" in row  # its identifier
    assert "Already used by another account" in row
    assert ">2<" in row  # two requests came for this member number
    detail = re.sub(
        r"\s+",
        " ",
        client.get(
            f"/{syndicat.slug}/admin/accounts/emailregistration/{pending.pk}/change/"
        ).content.decode(),
    )
    assert "Already used by another account" in detail and "Rémi Sansmail" in detail


def test_an_address_in_use_is_shown_for_a_request_with_no_matching_account(client, submit, syndicat):
    UserFactory(tenant=syndicat, identifier="taken@maison.test", email="taken@maison.test")
    ask(submit, syndicat, number="999999", email="taken@maison.test")
    agent = UserFactory(tenant=syndicat, identifier="agent@syndicat.test", is_staff=True)
    client.force_login(agent)
    page = client.get(f"/{syndicat.slug}/admin/accounts/emailregistration/").content.decode()
    assert "Already used by another account" in page
