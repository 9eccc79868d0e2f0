import os

import pytest

from tests.factories import UserFactory


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


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def moto_endpoint():
    """moto's S3 in server mode on a free port: a real HTTP S3 for boto3 and the browser alike."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


S3_KEYS = {"access_key": "testing", "secret_key": "testing"}


@pytest.fixture
def s3_bucket(settings, moto_endpoint):
    """A fresh bucket on the moto server as the "uploads" storage, configured as production does."""
    import uuid

    import boto3

    bucket = f"portail-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3",
        endpoint_url=moto_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_bucket(Bucket=bucket)
    settings.STORAGES = {
        **settings.STORAGES,
        "uploads": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": moto_endpoint,
                "region_name": "us-east-1",
                "addressing_style": "path",
                "default_acl": "private",
                "querystring_auth": True,
                "querystring_expire": 300,
                "signature_version": "s3v4",
                "file_overwrite": False,
                "location": "uploads",
                **S3_KEYS,
            },
        },
    }
    settings.PORTAIL_CLAMD_SOCKET = ""
    client.bucket = bucket
    return client


def bucket_keys(client) -> list[str]:
    return sorted(o["Key"] for o in client.list_objects_v2(Bucket=client.bucket).get("Contents", []))


def open_multiparts(client) -> list[str]:
    return [u["Key"] for u in client.list_multipart_uploads(Bucket=client.bucket).get("Uploads", [])]


@pytest.fixture(autouse=True)
def _no_conversation_limits():
    """These tests exercise the uploads alone: the conversations' limits provider (registered by
    messaging's ready(), which asks for a conversation the person takes part in) is set aside, and put
    back afterwards."""
    from messaging.uploads import api

    previous = api._limits_provider
    api.register_limits_provider(None)
    yield
    api.register_limits_provider(previous)
