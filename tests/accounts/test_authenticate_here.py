"""The sign-in asks the portal's one backend directly (accounts.backends.authenticate_here) and keeps
what Django's authenticate() does around it: the backend's path on the session, `user_login_failed`
with the password masked, a refusal by PermissionDenied, and Django's own loop when other backends are
configured (benchmarks/README.md, "Sign-in: the client, settings and the one backend")."""

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.test import override_settings

from accounts.backends import BACKEND_PATH, TenantBackend
from portal.models import AuditEntry

from . import recording_backend

pytestmark = pytest.mark.django_db


@pytest.fixture
def failures():
    received = []

    def receiver(sender, credentials, request, **kwargs):
        received.append((sender, credentials, request))

    user_login_failed.connect(receiver)
    yield received
    user_login_failed.disconnect(receiver)


def test_a_right_password_signs_in_with_the_backend_s_path_in_the_session(client, user_a, password):
    response = client.post("/alpha/sign-in/", {"username": "A000001", "password": password})
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(user_a.pk)
    assert client.session[BACKEND_SESSION_KEY] == BACKEND_PATH == "accounts.backends.TenantBackend"
    assert client.get("/alpha/").wsgi_request.user == user_a


def test_a_wrong_password_sends_django_s_failure_signal_with_the_password_masked(client, user_a, failures):
    response = client.post("/alpha/sign-in/", {"username": "A000001", "password": "typo-password-123456"})
    assert response.status_code == 200 and SESSION_KEY not in client.session
    [(sender, credentials, request)] = failures
    assert sender == "django.contrib.auth"
    assert credentials["identifier"] == "A000001"
    assert credentials["password"] == "********************"
    assert "typo-password" not in repr(credentials)
    assert request.path == "/alpha/sign-in/"
    assert AuditEntry.objects.filter(action="auth.sign_in_failed", target_id=str(user_a.pk)).count() == 1


def test_a_backend_that_refuses_with_permission_denied_signs_no_one_in(
    client, user_a, password, failures, monkeypatch
):
    def refuse(self, request, **credentials):
        raise PermissionDenied

    monkeypatch.setattr(TenantBackend, "authenticate", refuse)
    response = client.post("/alpha/sign-in/", {"username": "A000001", "password": password})
    assert response.status_code == 200 and SESSION_KEY not in client.session
    assert len(failures) == 1 and failures[0][1]["password"] == "********************"


def test_with_other_backends_configured_django_s_authenticate_asks_each(client, user_a, password):
    recording_backend.asked.clear()
    backends = ["tests.accounts.recording_backend.RecordingBackend", BACKEND_PATH]
    with override_settings(AUTHENTICATION_BACKENDS=backends):
        response = client.post("/alpha/sign-in/", {"username": "A000001", "password": password})
    assert recording_backend.asked == ["A000001"]
    assert response.status_code == 302 and client.session[BACKEND_SESSION_KEY] == BACKEND_PATH
