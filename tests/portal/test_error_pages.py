import pytest
from django.test import Client


@pytest.mark.django_db
def test_not_found_inside_a_tenant_keeps_its_name_and_help_desk(client, tenant_a):
    response = client.get("/alpha/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page introuvable" in html and "Alpha FR" in html and "1-800-555-0199" in html


@pytest.mark.django_db
def test_expired_form_gets_a_translated_page_not_a_technical_one(tenant_a, user_a, password):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/alpha/sign-in/", {"username": user_a.identifier, "password": password})
    assert response.status_code == 403
    assert "Veuillez réessayer" in response.content.decode()
