"""A tenant's mails wear its own accent colour, as its pages do."""

import pytest

from portal.mail import send_templated_mail
from portal.models import Tenant
from tests.factories import TenantFactory, UserFactory

PLUM, FOREST = "#6b1d5c", "#1b5e20"
DEFAULT = Tenant._meta.get_field("accent_colour").default


def mailed_html(tenant, mailoutbox, capture, template="password_reset"):
    user = UserFactory(tenant=tenant)
    with capture(execute=True):
        send_templated_mail(
            tenant=tenant,
            to=user.email,
            language="fr",
            template=template,
            context={"user": user, "link": "https://portail.example/lien"},
        )
    [(html, mime)] = mailoutbox[-1].alternatives
    assert mime == "text/html"
    return html


@pytest.fixture
def plum(db):
    return TenantFactory(slug="prune", accent_colour=PLUM)


@pytest.fixture
def forest(db):
    return TenantFactory(slug="foret", accent_colour=FOREST)


def test_each_tenant_mail_carries_its_own_colour(
    plum, forest, mailoutbox, django_capture_on_commit_callbacks
):
    plum_html = mailed_html(plum, mailoutbox, django_capture_on_commit_callbacks)
    forest_html = mailed_html(forest, mailoutbox, django_capture_on_commit_callbacks)
    assert f"background: {PLUM}" in plum_html, "the button is in the tenant's colour"
    assert f"background: {FOREST}" in forest_html
    for html, other in ((plum_html, FOREST), (forest_html, PLUM)):
        assert other not in html
        assert DEFAULT not in html, "no colour is written into the mail templates"


def test_a_mail_without_a_button_still_names_the_tenant_in_its_colour(
    plum, mailoutbox, django_capture_on_commit_callbacks
):
    html = mailed_html(plum, mailoutbox, django_capture_on_commit_callbacks, template="password_changed")
    assert f"color: {PLUM}" in html
    assert plum.name_fr in html


def test_a_colour_that_is_not_a_plain_hex_never_reaches_the_mail(
    db, mailoutbox, django_capture_on_commit_callbacks
):
    # The model validates the colour in forms; a row written another way must not inject styles.
    tenant = TenantFactory(slug="brut", accent_colour="red;x:y")
    html = mailed_html(tenant, mailoutbox, django_capture_on_commit_callbacks)
    assert "red;x:y" not in html
    assert f"background: {DEFAULT}" in html
