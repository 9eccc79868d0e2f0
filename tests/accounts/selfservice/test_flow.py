"""The signed-out journeys' state in the session: how long it lasts, what it opens, and what a session
written by an older version of the code leads to."""

import time

import pytest

from accounts.selfservice import flow

from .conftest import RIGHT, errors

pytestmark = pytest.mark.django_db
NEW = "une longue phrase de passe neuve"


def base(tenant):
    return f"/{tenant.slug}/self-service/"


def starts_again(response) -> bool:
    """Sent back to the first page of a journey (which one depends on the step)."""
    return response.status_code == 302 and response["Location"].endswith(("/sign-in/", "/password/forgot/"))


def shift_clock(client, seconds):
    """Move the flow's clock back, as if `seconds` had passed since it last started."""
    session = client.session
    session[flow.FLOW_KEY]["started_at"] -= seconds
    session.save()


def test_a_flow_written_by_older_code_is_no_flow_and_opens_nothing(client, alex):
    # The older code kept an untyped dict; one that says "proved" must not reach the new password.
    session = client.session
    session[flow.LEGACY_FLOW_KEY] = {
        "purpose": "recover",
        "identifier": "DEMO12345",
        "at": int(time.time()),
        "tenant": alex.tenant.pk,
        "account": alex.pk,
        "method": "pin",
        "proved": True,
    }
    session.save()
    for step in ["password/forgot/new/", "password/forgot/questions/", "password/forgot/pin/"]:
        assert starts_again(client.get(base(alex.tenant) + step)), step
    posted = client.post(
        base(alex.tenant) + "password/forgot/new/", {"new_password1": NEW, "new_password2": NEW}
    )
    assert posted.status_code == 302
    alex.refresh_from_db()
    assert not alex.check_password(NEW)


@pytest.mark.parametrize(
    "stored",
    ["not a flow", {"purpose": "recover"}, {"purpose": "nonsense", "tenant_id": 1, "started_at": 0}],
)
def test_a_garbled_flow_is_no_flow(client, camille, stored):
    session = client.session
    session[flow.FLOW_KEY] = stored
    session.save()
    assert starts_again(client.get(base(camille.tenant) + "sign-in/password/"))


def test_a_flow_opens_only_the_steps_of_its_own_journey(client, alex):
    client.post(base(alex.tenant) + "sign-in/", {"identifier": "DEMO12345"})
    assert client.get(base(alex.tenant) + "sign-in/password/").status_code == 200
    for step in ["password/forgot/pin/", "identifier/forgot/identity/", "unlock/methods/"]:
        assert starts_again(client.get(base(alex.tenant) + step)), step


def test_the_flow_expires_after_fifteen_minutes(client, camille):
    client.post(base(camille.tenant) + "password/forgot/", {"identifier": "E100001"})
    shift_clock(client, 14 * 60)
    assert client.get(base(camille.tenant) + "password/forgot/questions/").status_code == 200
    shift_clock(client, 2 * 60)
    assert starts_again(client.get(base(camille.tenant) + "password/forgot/questions/"))


def test_the_new_password_step_gets_its_own_fifteen_minutes_after_the_proof(client, camille):
    client.post(base(camille.tenant) + "password/forgot/", {"identifier": "E100001"})
    shift_clock(client, 14 * 60)  # the proof comes late in the first fifteen minutes
    proved = client.post(base(camille.tenant) + "password/forgot/questions/", RIGHT)
    assert proved["Location"].endswith("/password/forgot/new/")
    shift_clock(client, 10 * 60)
    page = client.get(base(camille.tenant) + "password/forgot/new/")
    assert page.status_code == 200 and "15 characters" in errors(page)
    shift_clock(client, 6 * 60)
    assert starts_again(client.get(base(camille.tenant) + "password/forgot/new/"))
