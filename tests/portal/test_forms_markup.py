"""What a person, a screen reader or a password manager finds in the portal's forms, which all draw
through one skeleton (templates/includes/form.html, templates/forms/)."""

from html.parser import HTMLParser

import pytest
from django.test import Client

from accounts.forms import ForgotPasswordForm
from tests.factories import PASSWORD, TenantFactory, UserFactory


class Page(HTMLParser):
    """The elements of a page in document order, with their attributes and their own text."""

    VOID = {"input", "br", "img", "meta", "link", "hr", "source"}

    def __init__(self, html: str):
        super().__init__()
        self.elements, self._open = [], []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        element = {"tag": tag, **{name: value if value is not None else "" for name, value in attrs}}
        element["text"], element["inside"] = "", [id(e) for e in self._open]
        self.elements.append(element)
        if tag not in self.VOID:
            self._open.append(element)

    def handle_endtag(self, tag):
        while self._open:
            if self._open.pop()["tag"] == tag:
                break

    def handle_data(self, data):
        for element in self._open:
            element["text"] += data

    def find(self, tag=None, **attrs):
        return [
            e
            for e in self.elements
            if (tag is None or e["tag"] == tag) and all(e.get(k) == v for k, v in attrs.items())
        ]

    def one(self, tag=None, **attrs):
        [element] = self.find(tag, **attrs)
        return element

    def by_id(self, element_id):
        return self.one(id=element_id)

    def within(self, container, tag=None):
        return [e for e in self.find(tag) if id(container) in e["inside"]]

    def position(self, element):
        return next(i for i, e in enumerate(self.elements) if e is element)

    def controls(self):
        """What a person fills in: every input, select and textarea but hidden ones."""
        return [
            e
            for e in self.elements
            if e["tag"] in ("input", "select", "textarea") and e.get("type") != "hidden" and "hidden" not in e
        ]


def page(response) -> Page:
    """The page's <main>: the header's language and account forms are not the page's form."""
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    return Page(html[html.index("<main") : html.index("</main>") + len("</main>")])


def text(element) -> str:
    return " ".join(element["text"].split())


@pytest.fixture
def client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def tenant(db):
    return TenantFactory(
        slug="forms-t",
        sign_in_with="user_id",
        allow_lost_identifier=True,
        allow_password_reset=True,
        identifier_hint_en="On your letter, top right.",
        identifier_hint_fr="Sur votre lettre, en haut à droite.",
    )


@pytest.fixture
def person(tenant):
    return UserFactory(tenant=tenant, identifier="F000001", preferred_language="en")


@pytest.fixture
def signed_in(client, person):
    client.post(f"/{person.tenant.slug}/sign-in/", {"username": person.identifier, "password": PASSWORD})
    return client


def assert_labelled(page: Page):
    """Every control is named by its own <label for> (or, in a group, by the group's legend)."""
    labels = {e["for"] for e in page.find("label") if e.get("for")}
    for control in page.controls():
        assert control.get("id") in labels, f"no label for {control}"
    ids = [e["id"] for e in page.elements if e.get("id")]
    assert len(ids) == len(set(ids)), "an id is used twice"


class TestEveryFieldIsNamedAndDescribed:
    @pytest.mark.parametrize(
        "path",
        ["sign-in/", "password/forgot/", "identifier/lost/", "self-service/sign-in/", "self-service/unlock/"],
    )
    def test_signed_out_pages(self, client, tenant, path):
        assert_labelled(page(client.get(f"/{tenant.slug}/{path}")))

    @pytest.mark.parametrize("path", ["profile/", "profile/email/", "profile/password/"])
    def test_signed_in_pages(self, signed_in, tenant, path):
        assert_labelled(page(signed_in.get(f"/{tenant.slug}/{path}")))

    def test_help_and_error_are_read_with_the_field(self, signed_in, tenant):
        form = page(signed_in.post(f"/{tenant.slug}/profile/email/", {"email": "not-an-address"}))
        for name in ("email", "password"):
            control = form.one("input", name=name)
            assert control["aria-invalid"] == "true"
            described = control["aria-describedby"].split()
            assert f"{control['id']}_error" in described
            assert text(form.by_id(f"{control['id']}_error")), "the error id names an empty element"
        password = form.one("input", name="password")
        assert password["aria-describedby"].split()[0] == "id_password_helptext"
        assert "confirm it is you" in text(form.by_id("id_password_helptext"))

    def test_a_field_without_error_is_not_marked_invalid(self, client, tenant):
        form = page(client.get(f"/{tenant.slug}/password/forgot/"))
        for control in form.controls():
            assert "aria-invalid" not in control
            assert "required" in control

    def test_what_browsers_and_password_managers_rely_on_stays(self, client, tenant):
        form = page(client.get(f"/{tenant.slug}/identifier/lost/"))
        assert form.one("input", name="last_name")["autocomplete"] == "family-name"
        assert form.one("input", name="mobile_phone")["inputmode"] == "tel"
        assert form.one("input", name="private_number")["autocomplete"] == "off"
        assert form.one("input", name="email")["type"] == "email"
        assert "required" in form.one("select", name="birth_month")
        assert form.one("form", method="post").get("novalidate") == "", "the server checks, not the browser"


class TestErrorSummary:
    def test_it_links_to_each_field_in_error(self, client, tenant):
        form = page(client.post(f"/{tenant.slug}/identifier/lost/", {"last_name": "Test", "consent": ""}))
        summary = form.one("div", id="error-summary")
        assert summary["role"] == "alert"
        links = form.within(summary, "a")
        in_error = [c for c in form.controls() if c.get("aria-invalid") == "true"]
        assert [link["href"] for link in links] == [f"#{c['id']}" for c in in_error]
        assert "last_name" not in [c["name"] for c in in_error]
        assert [text(link) for link in links][-1] == "I have read the privacy policy and I accept it."
        assert form.position(summary) < form.position(in_error[0])

    def test_a_refusal_of_the_whole_form_names_no_field(self, client, tenant, person):
        form = page(client.post(f"/{tenant.slug}/sign-in/", {"username": person.identifier, "password": "x"}))
        summary = form.one("div", id="error-summary")
        assert "The identifier or the password is incorrect." in text(summary)
        assert "correct the fields marked below" not in text(summary)
        assert form.within(summary, "a") == []


class TestPageParts:
    def test_sign_in_keeps_its_hint_between_the_fields_and_the_next_address(self, client, tenant):
        form = page(client.get(f"/{tenant.slug}/sign-in/?next=/{tenant.slug}/profile/"))
        username, password = form.one("input", name="username"), form.one("input", name="password")
        hint = form.one("details", **{"class": "hint"})
        assert form.position(username) < form.position(hint) < form.position(password)
        assert "On your letter, top right." in text(hint)
        assert form.one("input", name="next")["value"] == f"/{tenant.slug}/profile/"
        assert text(form.one("button", type="submit")) == "Sign in"

    def test_a_checkbox_reads_box_then_label_then_its_note(self, client, tenant):
        form = page(client.get(f"/{tenant.slug}/identifier/lost/"))
        box = form.one("input", name="consent")
        label = form.one("label", **{"for": box["id"]})
        note = next(e for e in form.find("p") if "keep none of them" in e["text"])
        assert box["type"] == "checkbox"
        assert form.position(box) < form.position(label) < form.position(note)
        assert text(form.one("button", type="submit")) == "Send me my identifier"

    def test_a_new_password_comes_with_its_rules_and_the_account_name(self, signed_in, tenant, person):
        form = page(signed_in.get(f"/{tenant.slug}/profile/password/"))
        username = form.one("input", name="username")
        assert (username["value"], username["autocomplete"]) == (person.identifier, "username")
        assert "hidden" in username
        first, second = form.one("input", name="new_password1"), form.one("input", name="new_password2")
        rules = form.one("div", id="password-rules")
        assert form.position(first) < form.position(rules) < form.position(second)
        assert "15" in text(rules)
        assert first["autocomplete"] == second["autocomplete"] == "new-password"
        assert [e for e in form.find("script") if e.get("src", "").endswith("accounts/password-rules.js")]
        cancel = next(e for e in form.find("a") if text(e) == "Cancel")
        assert cancel["href"] == f"/{tenant.slug}/profile/"

    def test_the_language_form_posts_to_its_own_address(self, signed_in, tenant):
        form = page(signed_in.get(f"/{tenant.slug}/profile/"))
        select = form.one("select", name="preferred_language")
        [language_form] = [f for f in form.find("form") if select in form.within(f, "select")]
        assert language_form["action"] == f"/{tenant.slug}/profile/language/"

    def test_any_form_renders_through_the_portal_field_group(self, tenant):
        html = str(ForgotPasswordForm(tenant=tenant))
        form = Page(html)
        assert form.find("div", **{"class": "field"})
        assert form.one("label", **{"for": "id_identifier"})


class TestPasswordErrors:
    """A new password refused: where the error sits, what the summary says, what the field reads."""

    def post(self, signed_in, tenant, first, second):
        return page(
            signed_in.post(
                f"/{tenant.slug}/profile/password/",
                {"old_password": PASSWORD, "new_password1": first, "new_password2": second},
            )
        )

    def test_a_rule_error_sits_on_the_new_password_not_the_confirmation(self, signed_in, tenant):
        form = self.post(signed_in, tenant, "court", "court")
        first, second = form.one("input", name="new_password1"), form.one("input", name="new_password2")
        assert first.get("aria-invalid") == "true"
        assert "aria-invalid" not in second
        assert "15" in text(form.by_id("id_new_password1_error"))
        assert not form.find(id="id_new_password2_error")

    def test_too_short_is_reported_even_when_the_entries_differ(self, signed_in, tenant):
        form = self.post(signed_in, tenant, "court", "autre")
        assert "15" in text(form.by_id("id_new_password1_error"))
        assert "didn’t match" in text(form.by_id("id_new_password2_error"))
        summary = form.one("div", id="error-summary")
        assert [link["href"] for link in form.within(summary, "a")] == [
            "#id_new_password1",
            "#id_new_password2",
        ]

    def test_the_summary_does_not_claim_the_passwords_were_kept(self, signed_in, tenant):
        form = self.post(signed_in, tenant, "court", "court")
        summary = text(form.one("div", id="error-summary"))
        assert "nothing you typed is lost" not in summary
        assert "emptied" in summary and "New password again" in summary
        assert all(not c.get("value") for c in form.controls() if c.get("type") == "password")

    def test_a_form_without_secrets_still_says_what_was_kept(self, client, tenant):
        form = page(client.post(f"/{tenant.slug}/identifier/lost/", {"last_name": "Test"}))
        summary = text(form.one("div", id="error-summary"))
        assert "nothing you typed is lost" in summary
        assert form.one("input", name="last_name")["value"] == "Test"

    def test_the_rules_list_describes_the_new_password(self, signed_in, tenant):
        form = page(signed_in.get(f"/{tenant.slug}/profile/password/"))
        described = form.one("input", name="new_password1")["aria-describedby"].split()
        rules = form.by_id(described[0])
        assert rules["tag"] == "ul" and "15" in text(rules)
        errored = self.post(signed_in, tenant, "court", "court")
        described = errored.one("input", name="new_password1")["aria-describedby"].split()
        assert described == ["password-rules-list", "id_new_password1_error"]

    def test_the_summary_takes_the_focus_and_links_to_the_fields(self, signed_in, tenant):
        form = self.post(signed_in, tenant, "court", "court")
        summary = form.one("div", id="error-summary")
        assert summary["tabindex"] == "-1" and "autofocus" in summary
        autofocused = [e for e in form.elements if "autofocus" in e]
        assert autofocused[0] is summary, "the first autofocus of the page is the one browsers honour"
        assert [link["href"] for link in form.within(summary, "a")] == ["#id_new_password1"]


class TestPageSemantics:
    def test_a_flash_message_is_a_list_item_inside_a_status_region(self, signed_in, tenant):
        response = signed_in.post(
            f"/{tenant.slug}/profile/language/", {"preferred_language": "en"}, follow=True
        )
        shown = page(response)
        region = shown.one("div", role="status")
        [listing] = shown.within(region, "ul")
        assert "role" not in listing
        assert [text(item) for item in shown.within(listing, "li")], "the message is in the list"
        assert not [e for e in shown.find("ul") if e.get("role")], "no list carries a role"

    def test_devices_table_cells_carry_their_column_header(self, signed_in, tenant, person):
        from accounts.devices import AuthenticatorDevice

        device = AuthenticatorDevice.start(person, "Phone")
        device.confirmed = True
        device.save()
        shown = page(signed_in.get(f"/{tenant.slug}/devices/"))
        headers = [text(th) for th in shown.find("th") if text(th) != "Actions"]
        labels = [td["data-label"] for td in shown.find("td") if "data-label" in td]
        assert labels == headers == ["Name", "Added", "Last used"]

    def test_where_do_i_find_it_describes_the_identifier_field(self, client, tenant):
        shown = page(client.get(f"/{tenant.slug}/sign-in/"))
        described = shown.one("input", name="username")["aria-describedby"].split()
        assert text(shown.by_id(described[0])) == "On your letter, top right."
        refused = page(client.post(f"/{tenant.slug}/sign-in/", {"username": "", "password": "x"}))
        described = refused.one("input", name="username")["aria-describedby"].split()
        assert described == ["identifier-hint", "id_username_error"]
