"""List pages keep a constant number of queries, however many rows they show."""

import pytest

from portal.audit import record_audit
from tests.factories import TenantFactory, UserFactory


@pytest.mark.django_db
def test_platform_home_is_one_query_for_any_number_of_tenants(client, django_assert_num_queries):
    for n in range(12):
        TenantFactory(slug=f"t{n}")
    with django_assert_num_queries(1):
        assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_signed_in_tenant_home_reads_no_database(client, sign_in, user_a, django_assert_num_queries):
    """The session (cached_db) and the account (accounts/user_state.py) come from the cache, the tenant
    from the per-process directory: a signed-in home page makes no query, so no health check either."""
    sign_in(user_a)
    client.get("/alpha/")  # the first page after the sign-in fills the cache
    with django_assert_num_queries(0):
        response = client.get("/alpha/")
    assert response.status_code == 200
    assert response.wsgi_request.user.pk == user_a.pk


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [3, 30])
def test_help_desk_lists_do_not_grow_with_rows(client, sign_in, staff_a, rows, django_assert_max_num_queries):
    for n in range(rows):
        user = UserFactory(tenant=staff_a.tenant, identifier=f"P{n:04d}")
        record_audit(tenant=staff_a.tenant, actor=user, action="auth.signed_in", target=user)
    sign_in(staff_a)
    for url in [
        "/alpha/admin/accounts/user/",
        "/alpha/admin/portal/auditentry/",
        "/alpha/admin/portal/outboundemail/",
    ]:
        with django_assert_max_num_queries(8):
            assert client.get(url).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 6])
def test_self_service_pages_do_not_grow_with_questions_devices_or_links(
    client, sign_in, rows, django_assert_max_num_queries
):
    from accounts.devices import AuthenticatorDevice
    from accounts.selfservice.actions import do_link_accounts
    from accounts.selfservice.models import SecurityAnswer, SecurityQuestion

    tenant = TenantFactory(slug="qc", security_question_count=1)
    person = UserFactory(tenant=tenant, identifier="Q1")
    for n in range(rows):
        question = SecurityQuestion.objects.create(tenant=tenant, text_fr=f"Q{n}?", text_en=f"Q{n}?")
        answer = SecurityAnswer(tenant=tenant, user=person, question=question)
        answer.set_answer(f"reponse {n}")
        answer.save()
        device = AuthenticatorDevice.start(person, f"Phone {n}")
        device.confirmed = True
        device.save()
        other = UserFactory(tenant=TenantFactory(slug=f"qo{n}"), identifier=f"O{n}")
        do_link_accounts(user=person, other=other)
    sign_in(person)
    client.get("/qc/")
    for url, most in [
        ("/qc/self-service/", 4),
        ("/qc/self-service/questions/", 5),
        ("/qc/self-service/questions/try/", 4),
        ("/qc/devices/", 5),
        ("/qc/self-service/links/", 5),
        ("/qc/self-service/accounts/unlock/", 5),
        ("/qc/self-service/passwords/", 5),
    ]:
        with django_assert_max_num_queries(most):
            assert client.get(url).status_code == 200, url
