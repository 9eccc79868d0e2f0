"""An agent never ends up holding an account's credentials: an address typed at the help desk is used
only once its owner confirms it, the old address is told, and help-desk accounts (the agent's peers)
are managed by the platform admin only."""

import pytest

from accounts import lockout
from portal.models import AuditEntry
from tests.factories import UserFactory

from .conftest import link_path
from .test_help_desk import _person_form

USERS = "/alpha/admin/accounts/user/"
OUTSIDE = "agent.owns.it@outside.example"


@pytest.fixture
def desk(client, staff_a):
    client.force_login(staff_a)
    return client


def act(submit, action, *users):
    return submit(USERS, {"action": action, "_selected_action": [u.pk for u in users]}, follow=True)


def test_an_address_typed_at_the_desk_waits_for_its_owner_and_the_reset_link_goes_to_the_old_one(
    desk, submit, user_a, mailoutbox
):
    old = user_a.email
    response = submit(f"{USERS}{user_a.pk}/change/", _person_form(user_a, email=OUTSIDE), follow=True)
    assert response.status_code == 200
    assert "The new address is used once its owner confirms it" in response.content.decode()
    user_a.refresh_from_db()
    assert (user_a.email, user_a.pending_email) == (old, OUTSIDE)
    to_old = [m for m in mailoutbox if m.to == [old]]
    to_new = [m for m in mailoutbox if m.to == [OUTSIDE]]
    assert len(to_old) == 1 and OUTSIDE in to_old[0].body, "the old address is told"
    assert "typed" in to_old[0].body or "a saisi" in to_old[0].body, "the notice says the help desk typed it"
    assert "Someone signed in" not in to_old[0].body and "Quelqu’un" not in to_old[0].body
    assert len(to_new) == 1 and link_path(to_new[0]).startswith("/alpha/email/confirm/")
    entry = AuditEntry.objects.for_tenant(user_a.tenant).get(action="account.email_change_requested")
    assert entry.actor.identifier == "HELP-A"

    mailoutbox.clear()
    act(submit, "send_password_links", user_a)
    [reset] = mailoutbox
    assert reset.to == [old], "the password link never goes to an address the agent typed"


def test_the_desk_cannot_remove_an_address_on_file(desk, submit, user_a, mailoutbox):
    response = submit(f"{USERS}{user_a.pk}/change/", _person_form(user_a, email=""))
    assert response.status_code == 200
    assert "Only its owner removes or replaces the address" in response.content.decode()
    user_a.refresh_from_db()
    assert user_a.email and not user_a.pending_email


def test_an_address_on_an_account_without_one_waits_for_confirmation_too(desk, submit, tenant_a, mailoutbox):
    bare = UserFactory(tenant=tenant_a, identifier="BARE", email="")
    submit(f"{USERS}{bare.pk}/change/", _person_form(bare, email=OUTSIDE))
    bare.refresh_from_db()
    assert (bare.email, bare.pending_email) == ("", OUTSIDE)
    mailoutbox.clear()
    act(submit, "send_password_links", bare)
    assert mailoutbox == []


@pytest.mark.parametrize("page", ["change/", "verify-caller/"])
def test_a_peer_agents_account_is_out_of_the_desks_reach(desk, tenant_a, page):
    peer = UserFactory(tenant=tenant_a, identifier="HELP-PEER", is_staff=True)
    assert desk.get(f"{USERS}{peer.pk}/{page}").status_code == 404
    listing = desk.get(USERS).content.decode()
    assert "HELP-PEER" not in listing and "HELP-A" not in listing


@pytest.mark.parametrize(
    "action", ["send_password_links", "unlock_accounts", "require_password_change", "send_test_email"]
)
def test_no_action_reaches_a_peer_agent(desk, submit, tenant_a, action, mailoutbox):
    peer = UserFactory(tenant=tenant_a, identifier="HELP-PEER", is_staff=True)
    key = lockout.lock_key(tenant_a, user=peer)
    for _ in range(tenant_a.account_settings.lockout_threshold):
        lockout.register_failure(tenant_a, key)
    act(submit, action, peer)
    peer.refresh_from_db()
    assert mailoutbox == [] and not peer.must_change_password
    assert lockout.current_state(tenant_a, key).locked
    assert not AuditEntry.objects.for_tenant(tenant_a).filter(target_id=str(peer.pk)).exists()


def test_an_agent_cannot_change_a_peers_address(desk, submit, tenant_a, mailoutbox):
    peer = UserFactory(tenant=tenant_a, identifier="HELP-PEER", is_staff=True)
    response = submit(f"{USERS}{peer.pk}/change/", _person_form(peer, email=OUTSIDE))
    assert response.status_code == 404
    peer.refresh_from_db()
    assert not peer.pending_email and peer.email != OUTSIDE and mailoutbox == []


def test_an_agent_who_reads_the_typed_address_cannot_confirm_it_for_the_owner(
    desk, submit, user_a, mailoutbox
):
    """The agent types an address they read, opens its confirmation link in their own browser (signed
    out of the portal, or signed in as themselves) and presses the button: the address stays the
    owner's, so no reset link can ever reach the agent."""
    from django.test import Client

    old = user_a.email
    submit(f"{USERS}{user_a.pk}/change/", _person_form(user_a, email=OUTSIDE), follow=True)
    [to_new] = [m for m in mailoutbox if m.to == [OUTSIDE]]
    for browser in (Client(HTTP_ACCEPT_LANGUAGE="en"), desk):
        page = browser.get(link_path(to_new), follow=True)
        assert "Sign in as the account's owner" in page.content.decode()
        browser.post(page.redirect_chain[-1][0])
        user_a.refresh_from_db()
        assert (user_a.email, user_a.pending_email) == (old, OUTSIDE)


def test_the_owner_signed_in_confirms_an_address_the_desk_typed(desk, submit, user_a, mailoutbox):
    from django.test import Client

    submit(f"{USERS}{user_a.pk}/change/", _person_form(user_a, email=OUTSIDE), follow=True)
    [to_new] = [m for m in mailoutbox if m.to == [OUTSIDE]]
    owner = Client()
    owner.force_login(user_a)
    page = owner.get(link_path(to_new), follow=True)
    owner.post(page.redirect_chain[-1][0])
    user_a.refresh_from_db()
    assert (user_a.email, user_a.pending_email) == (OUTSIDE, "")
