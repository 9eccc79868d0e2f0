import os

import pytest
from django.core.files.storage import storages

from tests.factories import UserFactory


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


def stored_files(root) -> list[str]:
    """Every file under the storage folder, partial ones included."""
    return sorted(
        os.path.relpath(os.path.join(folder, name), root)
        for folder, _, names in os.walk(root)
        for name in names
    )


@pytest.fixture
def other_a(tenant_a):
    return UserFactory(tenant=tenant_a, identifier="A000002", first_name="Autre")
