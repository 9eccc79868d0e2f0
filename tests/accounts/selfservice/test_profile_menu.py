"""Signed in (docs/journeys.md#menu, #questions, #device, #links): security questions, the trial, devices,
links, unlock."""

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client

from accounts import lockout
from accounts.devices import AuthenticatorDevice, BackupCode
from accounts.selfservice.models import AccountLink, SecurityAnswer

from .conftest import add_device, catalogue, current_code, errors, make_tenant

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, sign_in, camille):
    return sign_in(camille)


def rows(tenant, pairs, **extra):
    data = {"form-TOTAL_FORMS": str(len(pairs)), "form-INITIAL_FORMS": "0", **extra}
    questions = catalogue(tenant)
    for i, (index, answer) in enumerate(pairs):
        data[f"form-{i}-question"] = str(questions[index].pk) if index is not None else ""
        data[f"form-{i}-answer"] = answer
    return data


def test_questions_page_counts_what_is_still_required(client, poste, sign_in):
    from tests.factories import UserFactory

    newcomer = UserFactory(tenant=poste, identifier="NEW1", preferred_language="en")
    sign_in(newcomer)
    page = client.get(f"/{poste.slug}/self-service/questions/")
    assert "Questions still required [3]" in errors(page)
    assert "(4 to 20 characters)" in errors(page), "each question shows its length rule"
    # "Add a question" adds a row and keeps what was typed.
    more = client.post(
        f"/{poste.slug}/self-service/questions/", rows(poste, [(0, "Minou"), (1, ""), (2, "")], add="1")
    )
    assert more.context["formset"].total_form_count() == 4
    assert 'value="Minou"' in more.content.decode()
    saved = client.post(
        f"/{poste.slug}/self-service/questions/", rows(poste, [(0, "Minou"), (1, "Québec"), (2, "Vert")])
    )
    assert saved.status_code == 302
    assert "Questions still required [0]" in errors(client.get(saved["Location"]))
    assert SecurityAnswer.objects.filter(user=newcomer, purpose="self").count() == 3


@pytest.mark.parametrize(
    "pairs, message",
    [
        ([(0, "Minou"), (0, "Québec"), (2, "Vert")], "already chosen above"),
        ([(0, "Minou"), (1, " minou "), (2, "Vert")], "needs its own answer"),
        ([(0, "Mi"), (1, "Québec"), (2, "Vert")], "4 to 20 characters"),
        ([(0, "Minou"), (1, "Québec"), (2, "E100001")], "cannot be your identifier"),
        ([(0, "Minou"), (1, "Québec"), (4, "Quel est votre livre préféré")], "cannot repeat the question"),
        ([(0, "Minou"), (1, "Québec"), (None, "")], "Choose 3 questions"),
    ],
)
def test_questions_are_refused_with_a_clear_message(client, signed_in, camille, pairs, message):
    before = list(SecurityAnswer.objects.filter(user=camille).values_list("answer", flat=True))
    response = client.post(f"/{camille.tenant.slug}/self-service/questions/", rows(camille.tenant, pairs))
    assert response.status_code == 200 and message in errors(response)
    assert list(SecurityAnswer.objects.filter(user=camille).values_list("answer", flat=True)) == before


def test_kept_answers_are_never_shown_back_and_stay_when_left_empty(client, signed_in, camille, submit):
    page = client.get(f"/{camille.tenant.slug}/self-service/questions/")
    html = page.content.decode()
    for clear in ("Éléphant", "Gaspé", "Rouge"):
        assert clear not in html
    data = rows(camille.tenant, [(0, ""), (1, ""), (3, "Tintin")])
    data["form-INITIAL_FORMS"] = "3"
    response = submit(f"/{camille.tenant.slug}/self-service/questions/", data)
    assert response.status_code == 302
    answers = {a.question.position: a for a in SecurityAnswer.objects.filter(user=camille, purpose="self")}
    assert set(answers) == {0, 1, 3}
    assert answers[0].check_answer("elephant") and answers[3].check_answer("tintin")
    assert any(
        "security questions were updated" in m.body or "questions de sécurité" in m.body for m in mail.outbox
    )
    history = errors(client.get(f"/{camille.tenant.slug}/self-service/history/"))
    assert "Security questions updated" in history


def test_try_answering_says_which_answers_are_wrong(client, signed_in, camille):
    url = f"/{camille.tenant.slug}/self-service/questions/try/"
    right = client.post(url, {"q0": "ÉLÉPHANT", "q1": "gaspe", "q2": "Rouge "})
    assert "All answers are correct." in errors(right)
    wrong = errors(client.post(url, {"q0": "elephant", "q1": "Paris", "q2": "Bleu"}))
    assert "The answer to [Where did you first travel to?] is incorrect." in wrong
    assert "The answer to [What colour was your first car?] is incorrect." in wrong
    assert "[What was the name of your first pet?]" not in wrong


def test_trying_counts_towards_the_lock(client, signed_in, camille):
    """The browser signed in, so it carries the account's device cookie: its tries count on that
    browser's own budget (accounts/guard.py), which stops even the right answers once spent."""
    url = f"/{camille.tenant.slug}/self-service/questions/try/"
    for _ in range(camille.tenant.account_settings.lockout_threshold):
        last = client.post(url, {"q0": "x", "q1": "y", "q2": "z"})
    assert "temporarily locked" in errors(last)
    right = client.post(url, {"q0": "ÉLÉPHANT", "q1": "gaspe", "q2": "Rouge "})
    assert "temporarily locked" in errors(right) and "All answers are correct." not in errors(right)


def test_trying_without_the_device_cookie_locks_the_account(client, signed_in, camille):
    client.cookies.pop(f"portail_device_{camille.tenant.pk}")
    url = f"/{camille.tenant.slug}/self-service/questions/try/"
    for _ in range(camille.tenant.account_settings.lockout_threshold):
        last = client.post(url, {"q0": "x", "q1": "y", "q2": "z"})
    assert "temporarily locked" in errors(last)
    assert lockout.current_state(camille.tenant, lockout.lock_key(camille.tenant, user=camille)).locked


def test_help_desk_questions_are_a_second_set(client, signed_in, camille):
    page = client.get(f"/{camille.tenant.slug}/self-service/questions/help-desk/")
    assert "Questions still required [0]" in errors(page)
    assert SecurityAnswer.objects.filter(user=camille, purpose="helpdesk").count() == 1


def test_enrol_a_device_with_the_password_qr_code_and_a_first_code(
    client, signed_in, camille, submit, password
):
    tenant = camille.tenant
    refused = client.post(f"/{tenant.slug}/devices/add/", {"name": "Phone", "password": "wrong"})
    assert "Your password is incorrect." in errors(refused)
    client.post(f"/{tenant.slug}/devices/add/", {"name": "Phone", "password": password})
    page = client.get(f"/{tenant.slug}/devices/add/confirm/")
    html = page.content.decode()
    assert 'src="data:image/svg+xml' in html
    device = AuthenticatorDevice.objects.get(user=camille, confirmed=False)
    key = page.context["key_groups"].replace(" ", "")
    assert key not in device.encrypted_key, "the key is encrypted at rest"
    wrong = "000000" if current_code(device) != "000000" else "111111"
    assert client.post(f"/{tenant.slug}/devices/add/confirm/", {"code": wrong}).status_code == 200
    before = client.session.session_key
    # django-otp throttles a device for a second after a wrong code.
    with time_machine.travel(datetime.timedelta(seconds=2), tick=True):
        done = submit(f"/{tenant.slug}/devices/add/confirm/", {"code": current_code(device)})
    codes = re.findall(r"<code>([A-Z0-9 ]{19})</code>", done.content.decode())
    assert len(codes) == 10 and client.session.session_key != before
    assert all(len(c.replace(" ", "")) == 16 for c in codes), "16 symbols of 31: 79 bits each"
    stored = list(BackupCode.objects.filter(device__user=camille).values_list("digest", flat=True))
    assert len(stored) == 10 and not any(c.replace(" ", "") in d for c in codes for d in stored)
    assert any(
        "mobile device was added" in m.body or "appareil mobile a été ajouté" in m.body for m in mail.outbox
    )
    # A backup code signs in once, then never again.
    other = Client(HTTP_ACCEPT_LANGUAGE="en")
    other.post(f"/{tenant.slug}/self-service/sign-in/", {"identifier": "E100001"})
    assert (
        other.post(f"/{tenant.slug}/self-service/sign-in/device/", {"code": codes[0].lower()}).status_code
        == 302
    )
    third = Client(HTTP_ACCEPT_LANGUAGE="en")
    third.post(f"/{tenant.slug}/self-service/sign-in/", {"identifier": "E100001"})
    assert third.post(f"/{tenant.slug}/self-service/sign-in/device/", {"code": codes[0]}).status_code == 200


def test_rename_and_remove_a_device(client, signed_in, camille, submit, password):
    device = add_device(camille, "Old phone")
    tenant = camille.tenant
    client.post(f"/{tenant.slug}/devices/{device.pk}/rename/", {"name": "Work phone"})
    assert "Work phone" in errors(client.get(f"/{tenant.slug}/devices/"))
    refused = client.post(f"/{tenant.slug}/devices/{device.pk}/remove/", {"password": "nope"})
    assert refused.status_code == 200 and AuthenticatorDevice.objects.filter(pk=device.pk).exists()
    submit(f"/{tenant.slug}/devices/{device.pk}/remove/", {"password": password})
    assert not AuthenticatorDevice.objects.filter(pk=device.pk).exists()
    assert len(mail.outbox) == 1


def test_another_persons_device_is_out_of_reach(client, signed_in, camille, poste):
    from tests.factories import UserFactory

    other = UserFactory(tenant=poste, identifier="E999")
    device = add_device(other)
    assert client.get(f"/{poste.slug}/devices/{device.pk}/rename/").status_code == 404
    assert client.post(f"/{poste.slug}/devices/{device.pk}/remove/", {"password": "x"}).status_code == 404


def test_unlock_a_locked_account_with_the_questions(client, camille, submit):
    tenant = camille.tenant
    key = lockout.lock_key(tenant, user=camille)
    for _ in range(tenant.account_settings.lockout_threshold):
        lockout.register_failure(tenant, key)
    client.post(f"/{tenant.slug}/self-service/unlock/", {"identifier": "E100001"})
    assert "Answer the security questions" in errors(
        client.get(f"/{tenant.slug}/self-service/unlock/methods/")
    )
    wrong = client.post(f"/{tenant.slug}/self-service/unlock/questions/", {"q0": "a", "q1": "b", "q2": "c"})
    assert "One or more answers are incorrect." in errors(wrong)
    done = submit(
        f"/{tenant.slug}/self-service/unlock/questions/", {"q0": "elephant", "q1": "gaspe", "q2": "rouge"}
    )
    assert "Your account is unlocked" in errors(done)
    assert not lockout.current_state(tenant, key).locked


def test_unlock_attempts_are_limited_too(client, camille):
    tenant = camille.tenant
    client.post(f"/{tenant.slug}/self-service/unlock/", {"identifier": "E100001"})
    for _ in range(tenant.account_settings.lockout_threshold):
        last = client.post(
            f"/{tenant.slug}/self-service/unlock/questions/", {"q0": "a", "q1": "b", "q2": "c"}
        )
    assert "temporarily locked" in errors(last)


def test_link_accounts_and_change_both_passwords(client, signed_in, camille, password, submit):
    from tests.factories import UserFactory

    other_tenant = make_tenant("autre-t")
    twin = UserFactory(tenant=other_tenant, identifier="X42", first_name="Camille")
    url = f"/{camille.tenant.slug}/self-service/links/"
    wrong = client.post(url, {"tenant": other_tenant.pk, "identifier": "X42", "password": "bad"})
    assert "incorrect" in errors(wrong) and not AccountLink.objects.exists()
    submit(url, {"tenant": other_tenant.pk, "identifier": "x42", "password": password})
    assert AccountLink.objects.filter(user=camille, other=twin).exists()
    assert AccountLink.objects.filter(user=twin, other=camille).exists()
    new = "un tout nouveau mot de passe bien long"
    response = submit(
        f"/{camille.tenant.slug}/self-service/passwords/",
        {"old_password": password, "new_password1": new, "new_password2": new, "also": [str(twin.pk)]},
    )
    assert response.status_code == 302, errors(response)
    camille.refresh_from_db()
    twin.refresh_from_db()
    assert camille.check_password(new) and twin.check_password(new)


def test_linked_accounts_can_be_unlocked_from_the_menu(client, signed_in, camille):
    from accounts.selfservice.actions import do_link_accounts
    from tests.factories import UserFactory

    other_tenant = make_tenant("autre-u")
    twin = UserFactory(tenant=other_tenant, identifier="X43")
    do_link_accounts(user=camille, other=twin)
    key = lockout.lock_key(other_tenant, user=twin)
    for _ in range(other_tenant.account_settings.lockout_threshold):
        lockout.register_failure(other_tenant, key)
    page = errors(client.get(f"/{camille.tenant.slug}/self-service/accounts/unlock/"))
    assert "locked" in page
    client.post(f"/{camille.tenant.slug}/self-service/accounts/unlock/", {"account": twin.pk})
    assert not lockout.current_state(other_tenant, key).locked


def test_a_link_cannot_be_removed_by_someone_else(client, poste, sign_in):
    from accounts.selfservice.actions import do_link_accounts
    from tests.factories import UserFactory

    a = UserFactory(tenant=poste, identifier="LA")
    b = UserFactory(tenant=make_tenant("autre-v"), identifier="LB")
    do_link_accounts(user=a, other=b)
    intruder = UserFactory(tenant=poste, identifier="LC")
    sign_in(intruder)
    link = AccountLink.objects.get(user=a)
    assert client.post(f"/{poste.slug}/self-service/links/{link.pk}/remove/").status_code == 404
    assert AccountLink.objects.count() == 2


def test_linking_is_refused_when_the_other_organisation_also_wants_its_device(
    client, signed_in, camille, password
):
    from tests.factories import UserFactory

    other_tenant = make_tenant("autre-w", device_policy="everyone")
    UserFactory(tenant=other_tenant, identifier="X44")
    response = client.post(
        f"/{camille.tenant.slug}/self-service/links/",
        {"tenant": other_tenant.pk, "identifier": "X44", "password": password},
    )
    assert "also asks for its mobile device" in errors(response)
    assert not AccountLink.objects.exists()


def test_a_crafted_form_cannot_post_more_than_nine_rows(client, signed_in, camille):
    data = rows(camille.tenant, [(i % 9, f"reponse {i}") for i in range(12)])
    response = client.post(f"/{camille.tenant.slug}/self-service/questions/", data)
    assert response.status_code == 200
    assert SecurityAnswer.objects.filter(user=camille, purpose="self").count() == 3
