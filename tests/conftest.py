import os

import pytest

from .factories import PASSWORD, TenantFactory, UserFactory


@pytest.fixture
def tenant_a(db):
    return TenantFactory(
        slug="alpha", name_fr="Alpha FR", name_en="Alpha EN", modules=["selfservice", "messaging"]
    )


@pytest.fixture
def tenant_b(db):
    return TenantFactory(slug="beta", name_fr="Bêta FR", name_en="Beta EN")


@pytest.fixture
def user_a(tenant_a):
    return UserFactory(tenant=tenant_a, identifier="A000001", first_name="Alice")


@pytest.fixture
def user_b(tenant_b):
    return UserFactory(tenant=tenant_b, identifier="B000001", first_name="Bruno")


@pytest.fixture
def staff_a(tenant_a):
    return UserFactory(tenant=tenant_a, identifier="HELP-A", is_staff=True, first_name="Agent")


@pytest.fixture
def staff_b(tenant_b):
    return UserFactory(tenant=tenant_b, identifier="HELP-B", is_staff=True, first_name="Agent")


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def sign_in(client, password):
    """Sign in through the real sign-in page of the user's tenant."""

    def do(user, *, client=client):
        response = client.post(
            f"/{user.tenant.slug}/sign-in/", {"username": user.identifier, "password": password}
        )
        assert response.status_code == 302, response.content[:500]
        return client

    return do


def require_service(reason):
    """Skip a test that needs a real service, unless CI says every service is there."""
    if os.environ.get("PORTAIL_REQUIRE_SERVICES") == "1":
        pytest.fail(f"PORTAIL_REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _forget_cached_tenants():
    """Each test rolls its tenants back without a signal; start every test with an empty directory."""
    from portal.tenancy import tenant_directory

    tenant_directory.clear()
    yield
    tenant_directory.clear()
