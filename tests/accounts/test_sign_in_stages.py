"""Sign-in is a list of stages after the password: an app adds one without the core knowing it, and
every sign-in page (the portal's, the help desk's) goes through it before the session is signed in."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from accounts import stages

pytestmark = pytest.mark.django_db


class TermsStage(stages.Stage):
    key = "terms"

    def handle(self):
        if self.request.session.get("terms_accepted"):
            return None
        return HttpResponse("Accept the terms of use first.")


@pytest.fixture
def terms_stage(monkeypatch):
    monkeypatch.setattr(stages, "_stages", list(stages._stages))
    stages.register_stage(TermsStage, before="enrol_device")
    return TermsStage


def test_a_stage_added_by_an_app_comes_before_the_session_is_signed_in(client, terms_stage, user_a, password):
    assert [s.key for s in stages.stages()] == ["device", "terms", "enrol_device"]
    response = client.post("/alpha/sign-in/", {"username": user_a.identifier, "password": password})
    assert response.status_code == 200
    assert response.content.decode() == "Accept the terms of use first."
    assert "_auth_user_id" not in client.session
    assert client.get("/alpha/profile/")["Location"].startswith("/alpha/sign-in/")


def test_passing_the_stage_signs_in_and_lands_on_the_page_asked_for(client, terms_stage, user_a, password):
    client.post("/alpha/sign-in/?next=/alpha/profile/", {"username": user_a.identifier, "password": password})
    request = RequestFactory().post("/alpha/terms/")
    request.session = client.session
    request.tenant = user_a.tenant
    request.user = type("Anonymous", (), {"is_authenticated": False, "pk": None})()
    request.session["terms_accepted"] = True
    response = stages.passed(request, "terms")
    request.session.save()
    assert response.status_code == 302 and response["Location"] == "/alpha/profile/"
    assert request.session["_auth_user_id"] == str(user_a.pk)
    assert stages.PENDING not in request.session


def test_the_help_desk_sign_in_goes_through_the_stages_too(client, terms_stage, staff_a, password):
    client.post("/alpha/admin/login/", {"username": staff_a.identifier, "password": password})
    # The help desk's page signs in by itself: the stages run on its first page, and this one holds it.
    assert client.get("/alpha/admin/").content.decode() == "Accept the terms of use first."
    session = client.session
    session["terms_accepted"] = True
    session.save()
    assert client.get("/alpha/admin/").status_code == 200
