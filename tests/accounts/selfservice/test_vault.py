"""The personal vault: entries sealed with the portal's data key, opened only after the password is
typed again (each opening in the person's history), never shown to the help desk, reachable only by
their owner, and kept through a password reset by recovery, as the page says."""

import pytest
from django.contrib import admin
from django.db import connection

from accounts.selfservice.models import VaultEntry
from portal.admin_sites import helpdesk_site, platform_site
from portal.models import AuditEntry
from tests.factories import PASSWORD, UserFactory

from .conftest import errors, make_tenant
from .test_recovery import NEW, choose_password, forgot

pytestmark = pytest.mark.django_db

ENTRY = {
    "label": "Banque du quartier",
    "identifier": "camille.bank-7731",
    "secret": "Tr3s-s3cr3t-PIN-8842",
    "note": "Question: ville natale",
}
SECRET_WORDS = ("Banque du quartier", "camille.bank-7731", "Tr3s-s3cr3t-PIN-8842", "ville natale")


def vault(user, rest=""):
    return f"/{user.tenant.slug}/self-service/vault/{rest}"


@pytest.fixture
def camille_in(client, camille, sign_in):
    return sign_in(camille)


def add(client, submit, user, **fields):
    response = submit(vault(user, "add/"), {**ENTRY, **fields})
    assert response.status_code == 302 and response["Location"] == vault(user)
    return VaultEntry.objects.for_tenant(user.tenant).filter(user=user).latest("id")


def every_column_of(entry) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {VaultEntry._meta.db_table} WHERE id = %s", [entry.pk])  # noqa: S608
        return repr(cursor.fetchall())


def test_an_entry_is_sealed_and_the_list_shows_its_label_only(camille_in, submit, camille):
    entry = add(camille_in, submit, camille)
    row = every_column_of(entry)
    assert not any(word in row for word in SECRET_WORDS), "nothing of the entry in clear"
    page = errors(camille_in.get(vault(camille)))
    assert "Banque du quartier" in page
    assert not any(word in page for word in SECRET_WORDS[1:]), "the list shows no secret"
    assert "whoever resets it through the recovery steps" in page, "the page says what a reset does"


def test_without_the_data_key_nothing_opens(camille_in, submit, camille, settings):
    entry = add(camille_in, submit, camille)
    settings.PORTAIL_DATA_KEYS = ["another key entirely"]
    from accounts.selfservice import vault as sealing

    with pytest.raises(sealing.VaultSealBroken):
        sealing.content_of(entry)


def test_the_secret_shows_only_after_the_password_and_each_opening_is_in_the_history(
    camille_in, submit, camille
):
    entry = add(camille_in, submit, camille)
    url = vault(camille, f"{entry.pk}/")
    before = errors(camille_in.get(url))
    assert "Banque du quartier" in before and "Tr3s-s3cr3t-PIN-8842" not in before
    wrong = errors(submit(url, {"password": "not my password"}))
    assert "Your password is incorrect" in wrong and "Tr3s-s3cr3t-PIN-8842" not in wrong
    opened = errors(submit(url, {"password": PASSWORD}))
    assert "Tr3s-s3cr3t-PIN-8842" in opened and "camille.bank-7731" in opened and "ville natale" in opened
    revealed = AuditEntry.objects.for_tenant(camille.tenant).filter(action="selfservice.vault_entry_revealed")
    assert revealed.count() == 1
    history = errors(camille_in.get(f"/{camille.tenant.slug}/self-service/history/"))
    assert "Personal vault entry opened" in history and "Entry added to the personal vault" in history
    assert not any(word in history for word in SECRET_WORDS)


def test_wrong_passwords_at_the_vault_count_towards_the_lock(camille_in, submit, camille):
    entry = add(camille_in, submit, camille)
    url = vault(camille, f"{entry.pk}/")
    for _attempt in range(camille.tenant.account_settings.lockout_threshold):
        submit(url, {"password": "not my password"})
    page = errors(submit(url, {"password": PASSWORD}))
    assert "temporarily locked" in page and "Tr3s-s3cr3t-PIN-8842" not in page


def test_an_entry_changes_only_once_opened_and_the_secret_never_comes_back_in_the_form(
    camille_in, submit, camille
):
    entry = add(camille_in, submit, camille)
    change = vault(camille, f"{entry.pk}/change/")
    closed = camille_in.get(change)
    assert closed.status_code == 302 and closed["Location"] == vault(camille, f"{entry.pk}/")
    assert submit(change, {**ENTRY, "label": "Renamed unopened"}).status_code == 302
    assert "Renamed unopened" not in errors(camille_in.get(vault(camille)))
    submit(vault(camille, f"{entry.pk}/"), {"password": PASSWORD})
    form = camille_in.get(change).content.decode()
    assert "camille.bank-7731" in form and "Tr3s-s3cr3t-PIN-8842" not in form
    submit(change, {**ENTRY, "label": "Banque (compte joint)", "secret": "", "note": ""})
    assert "Banque (compte joint)" in errors(camille_in.get(vault(camille)))
    opened = errors(submit(vault(camille, f"{entry.pk}/"), {"password": PASSWORD}))
    assert "Tr3s-s3cr3t-PIN-8842" in opened, "an empty secret keeps the saved one"
    assert "ville natale" not in opened


def test_an_entry_is_removed_after_the_password(camille_in, submit, camille):
    entry = add(camille_in, submit, camille)
    url = vault(camille, f"{entry.pk}/remove/")
    assert "Your password is incorrect" in errors(submit(url, {"password": "nope"}))
    assert submit(url, {"password": PASSWORD}).status_code == 302
    assert not VaultEntry.objects.for_tenant(camille.tenant).filter(pk=entry.pk).exists()


@pytest.mark.parametrize("rest", ["{pk}/", "{pk}/change/", "{pk}/remove/"])
def test_another_persons_or_tenants_entry_answers_404(client, submit, sign_in, camille, poste, rest):
    sign_in(camille)
    mine = add(client, submit, camille)
    neighbour = UserFactory(tenant=poste, identifier="E100002")
    theirs = VaultEntry(tenant=poste, user=neighbour, sealed_label="x", sealed_content="x")
    theirs.save()
    other_tenant = make_tenant("other-t")
    stranger = UserFactory(tenant=other_tenant, identifier="E100003")
    far = VaultEntry.objects.create(tenant=other_tenant, user=stranger, sealed_label="x", sealed_content="x")
    missing = max(mine.pk, theirs.pk, far.pk) + 1
    for pk in (theirs.pk, far.pk, missing):
        url = vault(camille, rest.format(pk=pk))
        assert client.get(url).status_code == 404
        assert client.post(url, {"password": PASSWORD, **ENTRY}).status_code == 404
    assert client.get(vault(camille, rest.format(pk=mine.pk))).status_code in (200, 302)


def test_a_sealed_value_moved_onto_another_persons_entry_does_not_open(camille_in, submit, camille, poste):
    from accounts.selfservice import vault as sealing

    entry = add(camille_in, submit, camille)
    neighbour = UserFactory(tenant=poste, identifier="E100002")
    theirs = VaultEntry.objects.create(
        tenant=poste, user=neighbour, sealed_label=entry.sealed_label, sealed_content=entry.sealed_content
    )
    with pytest.raises(sealing.VaultSealBroken):
        sealing.content_of(theirs)
    with pytest.raises(sealing.VaultSealBroken):
        sealing.label_of(theirs)


def test_the_vault_is_in_no_help_desk_and_the_help_desk_sees_nothing_of_it(
    client, submit, sign_in, camille, poste, password
):
    sign_in(camille)
    entry = add(client, submit, camille)
    submit(vault(camille, f"{entry.pk}/"), {"password": PASSWORD})
    for site in (admin.site, helpdesk_site, platform_site):
        assert VaultEntry not in site._registry
    agent = UserFactory(tenant=poste, identifier="AGENT", is_staff=True)
    desk = type(client)(HTTP_ACCEPT_LANGUAGE="en")
    desk.post(f"/{poste.slug}/admin/login/", {"username": agent.identifier, "password": password})
    assert desk.get(f"/{poste.slug}/admin/selfservice/vaultentry/").status_code == 404
    pages = [
        f"/{poste.slug}/admin/accounts/user/{camille.pk}/change/",
        f"/{poste.slug}/admin/portal/auditentry/",
        f"/{poste.slug}/admin/portal/auditentry/?target_type=accounts.user&target_id={camille.pk}",
    ]
    pages += [
        f"/{poste.slug}/admin/portal/auditentry/{row.pk}/change/"
        for row in AuditEntry.objects.for_tenant(poste).filter(action__startswith="selfservice.vault_")
    ]
    assert len(pages) == 5
    for url in pages:
        response = desk.get(url)
        assert response.status_code == 200, url
        assert not any(word in response.content.decode() for word in SECRET_WORDS), url
    for row in AuditEntry.objects.for_tenant(poste).filter(action__startswith="selfservice.vault_"):
        assert not any(word in repr(row.details) + row.target_label for word in SECRET_WORDS)


def test_the_entries_survive_a_password_reset_by_recovery_and_open_with_the_new_password(
    client, submit, sign_in, alex
):
    alex.preferred_language = "en"
    alex.save()
    sign_in(alex)
    entry = add(client, submit, alex)
    client.post(f"/{alex.tenant.slug}/sign-out/")
    forgot(client, alex.tenant, "demo12345")
    client.post(
        f"/{alex.tenant.slug}/self-service/password/forgot/pin/", {"employee_number": "100200", "pin": "4321"}
    )
    assert choose_password(client, submit, alex.tenant).status_code == 302
    response = client.post(f"/{alex.tenant.slug}/sign-in/", {"username": "DEMO12345", "password": NEW})
    assert response.status_code == 302
    assert errors(submit(vault(alex, f"{entry.pk}/"), {"password": PASSWORD})).count("Tr3s-s3cr3t") == 0
    opened = errors(submit(vault(alex, f"{entry.pk}/"), {"password": NEW}))
    assert "Tr3s-s3cr3t-PIN-8842" in opened


def test_the_vault_reads_in_french(client, submit, sign_in, camille):
    camille.preferred_language = "fr-ca"
    camille.save()
    sign_in(camille)
    client.cookies["django_language"] = "fr-ca"
    menu = client.get(f"/{camille.tenant.slug}/self-service/").content.decode()
    assert "Voûte personnelle" in menu and f'href="{vault(camille)}"' in menu
    page = errors(client.get(vault(camille)))
    assert "Voûte personnelle" in page and "Ajouter une entrée" in page


def test_an_entry_whose_key_was_withdrawn_is_listed_and_can_only_be_removed(
    camille_in, submit, camille, settings
):
    entry = add(camille_in, submit, camille)
    settings.PORTAIL_DATA_KEYS = ["a new key, the old one withdrawn"]
    page = errors(camille_in.get(vault(camille)))
    assert "An entry that can no longer be opened" in page
    opened = camille_in.get(vault(camille, f"{entry.pk}/"))
    assert opened.status_code == 302 and opened["Location"] == vault(camille)
    assert submit(vault(camille, f"{entry.pk}/remove/"), {"password": PASSWORD}).status_code == 302
    assert not VaultEntry.objects.for_tenant(camille.tenant).filter(pk=entry.pk).exists()


def test_the_list_costs_the_same_queries_for_one_entry_or_many(camille_in, submit, camille):
    from django.test.utils import CaptureQueriesContext

    add(camille_in, submit, camille)
    with CaptureQueriesContext(connection) as one:
        camille_in.get(vault(camille))
    for n in range(5):
        add(camille_in, submit, camille, label=f"Entry {n}")
    with CaptureQueriesContext(connection) as six:
        page = errors(camille_in.get(vault(camille)))
    assert 0 < len(six.captured_queries) == len(one.captured_queries) <= 12
    assert page.index("Banque du quartier") < page.index("Entry 0") < page.index("Entry 4"), "sorted by label"


def test_an_entry_whose_content_no_longer_opens_says_so_instead_of_failing(camille_in, submit, camille):
    entry = add(camille_in, submit, camille)
    other = add(camille_in, submit, camille, label="Other")
    # The content of another entry, moved onto this one: the seal names the other entry's owner part.
    VaultEntry.objects.for_tenant(camille.tenant).filter(pk=entry.pk).update(
        sealed_content=other.sealed_label
    )
    response = submit(vault(camille, f"{entry.pk}/"), {"password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == vault(camille)
    assert "can no longer be opened" in errors(camille_in.get(vault(camille)))


def test_an_opened_entry_closes_again_after_five_minutes(camille_in, submit, camille):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    entry = add(camille_in, submit, camille)
    submit(vault(camille, f"{entry.pk}/"), {"password": PASSWORD})
    change = vault(camille, f"{entry.pk}/change/")
    assert camille_in.get(change).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        closed = camille_in.get(change)
    assert closed.status_code == 302 and closed["Location"] == vault(camille, f"{entry.pk}/")


def test_signed_out_the_vault_leads_to_the_sign_in(client, camille):
    for rest in ("", "add/", "1/", "1/change/", "1/remove/"):
        response = client.get(vault(camille, rest))
        assert response.status_code == 302 and "/sign-in/" in response["Location"]
