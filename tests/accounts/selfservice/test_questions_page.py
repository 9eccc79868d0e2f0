"""The security-questions page as a person on a phone sees it: answers masked, every problem of every
row said at once, and a summary at the top that takes the focus and leads to each field."""

import pytest

from tests.portal.test_forms_markup import page, text

from .test_profile_menu import rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, sign_in, camille):
    return sign_in(camille)


def test_answers_are_masked_and_can_be_shown_on_request(client, signed_in, camille):
    form = page(client.get(f"/{camille.tenant.slug}/self-service/questions/"))
    answers = form.find("input", type="password")
    assert len(answers) == 3 and all(a["name"].endswith("-answer") for a in answers)
    assert all(a["autocomplete"] == "off" for a in answers)
    toggle = form.one("input", id="show-answers")
    assert toggle["type"] == "checkbox" and "name" not in toggle, "the toggle is never posted"
    assert text(form.one("label", **{"for": "show-answers"})) == "Show the answers as I type them"
    assert [e for e in form.find("script") if e.get("src", "").endswith("selfservice/show-answers.js")]


def test_row_errors_are_summarised_at_the_top_and_lead_to_each_field(client, signed_in, camille):
    response = client.post(
        f"/{camille.tenant.slug}/self-service/questions/",
        rows(camille.tenant, [(0, "Mi"), (1, "Québec"), (3, "")]),
    )
    form = page(response)
    summary = form.one("div", id="error-summary")
    assert summary["tabindex"] == "-1" and "autofocus" in summary
    links = form.within(summary, "a")
    assert [link["href"] for link in links] == ["#id_form-0-answer", "#id_form-2-answer"]
    assert [text(link) for link in links] == ["Question 1: Answer", "Question 3: Answer"]
    first_row = form.find("fieldset")[0]
    assert form.position(summary) < form.position(first_row)
    # What was typed is kept, masked, so that one mistake does not mean typing every answer again.
    assert form.one("input", name="form-1-answer")["value"] == "Québec"


def test_a_question_chosen_twice_is_reported_with_the_other_errors(client, signed_in, camille):
    response = client.post(
        f"/{camille.tenant.slug}/self-service/questions/",
        rows(camille.tenant, [(0, "Minou"), (0, "Québec"), (2, "V")]),
    )
    form = page(response)
    assert "already chosen above" in text(form.by_id("id_form-1-question_error"))
    assert "3 to 20 characters" in text(form.by_id("id_form-2-answer_error"))
    links = form.within(form.one("div", id="error-summary"), "a")
    assert [link["href"] for link in links] == ["#id_form-1-question", "#id_form-2-answer"]
