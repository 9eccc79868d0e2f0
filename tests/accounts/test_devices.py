"""The mobile device belongs to the accounts core: a tenant that requires it after the password works
whether the self-service module is on or off."""

import pytest
from django_otp.oath import TOTP

from accounts.devices import AuthenticatorDevice

pytestmark = pytest.mark.django_db


def current_code(device):
    totp = TOTP(device.key, 30, 0, 6, 0)
    return f"{totp.token():06d}"


@pytest.fixture
def without_self_service(tenant_a):
    tenant_a.modules = []
    tenant_a.save()
    tenant_a.account_settings.device_policy = "everyone"
    tenant_a.account_settings.save()
    return tenant_a


@pytest.fixture
def user_a(user_a):
    user_a.preferred_language = "en"
    user_a.save()
    return user_a


def test_device_required_for_everyone_without_self_service_leads_to_pages_that_exist(
    client, without_self_service, user_a, password, submit
):
    signed_in = client.post("/alpha/sign-in/", {"username": user_a.identifier, "password": password})
    assert signed_in.status_code == 302

    # Every page leads to adding a device first, and that page is there.
    page = client.get("/alpha/", follow=True)
    assert page.status_code == 200
    assert page.redirect_chain[-1][0] == "/alpha/devices/add/"
    assert "Your organisation asks for a mobile device after the password." in page.content.decode()

    client.post("/alpha/devices/add/", {"name": "Phone", "password": password})
    device = AuthenticatorDevice.objects.get(user=user_a)
    assert client.get("/alpha/devices/add/confirm/").status_code == 200
    done = submit("/alpha/devices/add/confirm/", {"code": current_code(device)})
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10
    assert client.get("/alpha/").status_code == 200
    assert "Phone" in client.get("/alpha/devices/").content.decode()

    # Next sign-in: the device step comes after the password, at an address that exists.
    client.post("/alpha/sign-out/")
    step = client.post("/alpha/sign-in/", {"username": user_a.identifier, "password": password})
    assert step["Location"] == "/alpha/sign-in/device/"
    assert "_auth_user_id" not in client.session
    assert client.get(step["Location"]).status_code == 200
    wrong = client.post("/alpha/sign-in/device/", {"code": "000000"})
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session
    right = client.post("/alpha/sign-in/device/", {"code": codes[0]})
    assert right.status_code == 302
    assert client.session["_auth_user_id"] == str(user_a.pk)
    assert client.get("/alpha/").status_code == 200


def test_the_device_step_cannot_be_opened_without_a_password_first(client, without_self_service):
    response = client.get("/alpha/sign-in/device/")
    assert response.status_code == 302 and response["Location"] == "/alpha/sign-in/"


def test_old_device_addresses_of_self_service_lead_to_the_core_pages(client, tenant_a, user_a, sign_in):
    sign_in(user_a)
    response = client.get("/alpha/self-service/devices/")
    assert response.status_code == 302 and response["Location"] == "/alpha/devices/"


def test_renaming_a_device_shows_in_the_owner_history_with_both_names(client, tenant_a, user_a, sign_in):
    device = AuthenticatorDevice.start(user_a, "Phone")
    device.confirmed = True
    device.save()
    sign_in(user_a)
    response = client.post(f"/alpha/devices/{device.pk}/rename/", {"name": "Work phone"})
    assert response.status_code == 302 and response["Location"] == "/alpha/devices/"
    device.refresh_from_db()
    assert device.name == "Work phone"
    profile = client.get("/alpha/profile/").content.decode()
    assert "Mobile device renamed" in profile
    from portal.models import AuditEntry

    entry = AuditEntry.objects.get(action="account.device_renamed")
    assert entry.actor_id == user_a.pk and entry.target_id == str(user_a.pk)
    assert entry.details == {"device": "Work phone", "previous_name": "Phone"}


def test_another_persons_device_cannot_be_renamed(client, tenant_a, user_a, sign_in):
    from tests.factories import UserFactory

    other = UserFactory(tenant=tenant_a, identifier="A000009")
    device = AuthenticatorDevice.start(other, "Phone")
    device.confirmed = True
    device.save()
    sign_in(user_a)
    assert client.post(f"/alpha/devices/{device.pk}/rename/", {"name": "Mine"}).status_code == 404
    device.refresh_from_db()
    assert device.name == "Phone"


def test_the_profile_leads_to_the_devices_where_the_tenant_requires_one_without_self_service(
    client, without_self_service, user_a, password
):
    device = AuthenticatorDevice.start(user_a, "Phone")
    device.confirmed = True
    device.save()
    client.post("/alpha/sign-in/", {"username": user_a.identifier, "password": password})
    client.post("/alpha/sign-in/device/", {"code": current_code(device)})
    profile = client.get("/alpha/profile/")
    assert profile.status_code == 200
    assert 'href="/alpha/devices/"' in profile.content.decode()


def test_the_profile_offers_no_device_page_where_nothing_uses_a_device(client, tenant_a, user_a):
    tenant_a.modules = []
    tenant_a.save()
    client.force_login(user_a)
    profile = client.get("/alpha/profile/").content.decode()
    assert 'href="/alpha/devices/"' not in profile
