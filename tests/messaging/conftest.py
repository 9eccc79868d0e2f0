import pytest
from django.core.files.storage import storages

from messaging import actions
from messaging.models import MessagingAdministrator
from tests.factories import UserFactory


@pytest.fixture
def collaborator_user(tenant_a):
    return UserFactory(
        tenant=tenant_a, identifier="collab@alpha.test", email="collab@alpha.test", first_name="Cora"
    )


@pytest.fixture
def collaborator(collaborator_user, messaging_admin):
    return actions.do_enable_collaborator(
        tenant=collaborator_user.tenant, email=collaborator_user.email, actor=messaging_admin
    )


@pytest.fixture
def messaging_admin(tenant_a):
    user = UserFactory(
        tenant=tenant_a, identifier="admin@alpha.test", email="admin@alpha.test", first_name="Ada"
    )
    MessagingAdministrator.objects.create(tenant=tenant_a, user=user)
    return user


@pytest.fixture
def participant(tenant_a):
    """A participant with an account and a confirmed persona."""
    user = UserFactory(tenant=tenant_a, identifier="pat@alpha.test", email="pat@alpha.test", first_name="Pat")
    actions.do_confirm_persona(user=user, email=user.email)
    return user


@pytest.fixture
def other_participant(tenant_a):
    user = UserFactory(
        tenant=tenant_a, identifier="olga@alpha.test", email="olga@alpha.test", first_name="Olga"
    )
    actions.do_confirm_persona(user=user, email=user.email)
    return user


@pytest.fixture
def conversation(collaborator, participant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return actions.do_start_conversation(
            collaborator=collaborator,
            title="Dossier 4471 : réclamation",
            emails=[participant.email],
            body="Bonjour, voici le premier message confidentiel.",
        )


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The one-mail-a-minute throttle lives in the cache: each test starts without it."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def uploads_root(settings, tmp_path):
    """A private folder of this test's own as the "uploads" storage."""
    root = tmp_path / "uploads"
    settings.STORAGES = {
        **settings.STORAGES,
        "uploads": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root), "base_url": None},
        },
    }
    settings.PORTAIL_CLAMD_SOCKET = ""
    assert storages["uploads"].location == str(root)
    return root
