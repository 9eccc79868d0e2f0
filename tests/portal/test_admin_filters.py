"""A help-desk list filters only on what it declares. Any other lookup in the address (on a password
hash, a queued mail's body, a private number, a device key...) would let an agent read a secret one
character at a time by watching the row count; here each one changes nothing, and none gives a 500."""

import pytest
from django.contrib.admin import SimpleListFilter

from accounts.actions import do_start_device
from accounts.models import EmailRegistration
from accounts.selfservice.models import SecurityQuestion
from portal.admin_sites import helpdesk_site
from portal.audit import record_audit
from portal.models import OutboundEmail
from tests.factories import UserFactory

NOTHING = "§nothing§"
# Names of secrets in this code base, tried on every list whether or not the model has them.
SECRET_NAMES = ["password", "private_number", "pin", "answer", "digest", "encrypted_key", "body_text"]


@pytest.fixture
def rows(tenant_a, user_a, staff_a):
    UserFactory(tenant=tenant_a, identifier="LOIC", first_name="Loïc", private_number="588157")
    OutboundEmail.objects.create(
        tenant=tenant_a,
        to=user_a.email,
        language="fr",
        template="password_reset",
        subject="Reset",
        body_text="https://portail.example/alpha/password/reset/MQ/secret-token/",
    )
    record_audit(tenant=tenant_a, actor=staff_a, action="account.unlocked", target=user_a)
    EmailRegistration.objects.create(
        tenant=tenant_a,
        user=user_a,
        member_number="912345",
        first_name="A",
        last_name="B",
        email="a@b.example",
    )
    SecurityQuestion.objects.create(tenant=tenant_a, text_fr="Q ?", text_en="Q?", position=99)
    do_start_device(user=user_a, name="phone")


@pytest.fixture
def messaging_rows(tenant_a, staff_a):
    """A collaborator and a conversation, whose title and words no lookup may reach."""
    from messaging import actions as messaging

    owner = UserFactory(tenant=tenant_a, identifier="COLLAB", email="collab@alpha.test")
    collaborator = messaging.do_enable_collaborator(tenant=tenant_a, email=owner.email, actor=staff_a)
    messaging.do_start_conversation(
        collaborator=collaborator, title="Secret title", emails=["someone@example.test"], body="Secret words"
    )


def _declared(admin, request=None):
    names = {admin.date_hierarchy}
    for item in admin.list_filter:
        if isinstance(item, type) and issubclass(item, SimpleListFilter):
            names.add(item.parameter_name)
        else:
            names.add(item[0] if isinstance(item, (list, tuple)) else item)
    return names


def _exact_names(admin):
    return {f.lstrip("^=@").split("__")[0] for f in admin.search_fields} | set(
        getattr(admin, "helpdesk_lookups", ())
    )


def _concrete(model):
    return [f for f in model._meta.get_fields() if getattr(f, "concrete", False) and not f.many_to_many]


def _relations(model):
    return [f for f in model._meta.get_fields() if f.is_relation and f.related_model is not None]


def _lookups(model, admin):
    declared, exact = _declared(admin), _exact_names(admin)
    for field in _concrete(model):
        if field.name in declared:
            continue
        yield f"{field.name}__regex", "("
        yield f"{field.name}__startswith", NOTHING
        yield f"{field.name}__gte", "~~~~"
        if field.name not in exact:
            yield field.name, NOTHING
    for relation in _relations(model):
        if relation.name in declared:
            continue
        for field in _concrete(relation.related_model):
            yield f"{relation.name}__{field.name}__startswith", NOTHING
    for name in SECRET_NAMES:
        yield f"{name}__regex", "("
        yield name, NOTHING
        yield f"user__{name}__startswith", NOTHING


def _listing_count(response):
    return response.context["cl"].result_count


@pytest.mark.parametrize("model", list(helpdesk_site._registry), ids=lambda m: m._meta.label_lower)
def test_no_undeclared_lookup_filters_a_help_desk_list(client, staff_a, rows, messaging_rows, model):
    client.force_login(staff_a)
    admin = helpdesk_site._registry[model]
    url = f"/alpha/admin/{model._meta.app_label}/{model._meta.model_name}/"
    unfiltered = client.get(url)
    assert unfiltered.status_code == 200
    everyone = _listing_count(unfiltered)
    assert everyone > 0, "a list with no rows cannot show a filter at work"
    leaks = []
    for lookup, value in _lookups(model, admin):
        response = client.get(url, {lookup: value})
        if response.status_code == 200:
            if _listing_count(response) != everyone:
                leaks.append(lookup)
        elif response.status_code == 302:
            # Django's own "invalid lookup" answer: the list again, with ?e=1 and no filter.
            assert response["Location"].endswith("?e=1"), (lookup, response["Location"])
        else:
            assert response.status_code == 400, (lookup, response.status_code)
    assert leaks == []


def test_the_reported_attacks_are_refused(client, staff_a, rows, user_a):
    client.force_login(staff_a)
    users = "/alpha/admin/accounts/user/"
    prefix = user_a.password[:12]
    assert client.get(users, {"identifier": user_a.identifier, "password__gte": prefix}).status_code == 400
    assert client.get(users, {"password__regex": "("}).status_code == 400
    mails = "/alpha/admin/portal/outboundemail/"
    assert client.get(mails, {"body_text__regex": "reset/MQ/s"}).status_code == 400
    assert client.get(users, {"identity_record__private_number__startswith": "$"}).status_code == 400


def test_declared_filters_and_links_still_work(client, staff_a, rows, user_a, tenant_a):
    client.force_login(staff_a)
    users = "/alpha/admin/accounts/user/"
    assert _listing_count(client.get(users, {"is_active__exact": "1"})) == 2
    assert _listing_count(client.get(users, {"identifier": "LOIC"})) == 1
    history = client.get(
        "/alpha/admin/portal/auditentry/", {"target_type": "accounts.user", "target_id": user_a.pk}
    )
    assert _listing_count(history) == 1
    dated = client.get(
        "/alpha/admin/portal/auditentry/",
        {"created_at__gte": "2020-01-01 00:00:00+00:00", "created_at__lt": "2021-01-01 00:00:00+00:00"},
    )
    assert _listing_count(dated) == 0
    mails = client.get(
        "/alpha/admin/portal/outboundemail/", {"status__exact": "queued", "template__exact": "password_reset"}
    )
    assert mails.status_code == 200
