from django import forms
from django.contrib.auth import password_validation
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.device_forms import code_widget
from accounts.forms import ChangePasswordForm, identifier_label, identifier_widget

from .normalise import normalise_answer

INCORRECT_ANSWERS = _("One or more answers are incorrect.")
NO_MATCH = _("This information does not match our records. Check it and try again.")


def secret_widget(**attrs):
    return forms.TextInput(
        attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false", **attrs}
    )


class IdentifierForm(forms.Form):
    identifier = forms.CharField(max_length=254, widget=identifier_widget(autofocus=True))

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["identifier"].label = identifier_label(tenant)
        self.fields["identifier"].help_text = tenant.account_settings.identifier_hint


class PasswordStepForm(forms.Form):
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )


class AnswersForm(forms.Form):
    """One answer field per question (recovery, sign-in, or "try answering your questions")."""

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        for index, question in enumerate(questions):
            self.fields[f"q{index}"] = forms.CharField(
                label=question.text, max_length=200, strip=False, widget=secret_widget()
            )
        if questions:
            self.fields["q0"].widget.attrs["autofocus"] = True

    def given(self, answers) -> dict:
        return {a.pk: self.cleaned_data.get(f"q{i}", "") for i, a in enumerate(answers)}


class MailCodeForm(forms.Form):
    code = forms.CharField(label=_("Code received by e-mail"), max_length=20, widget=code_widget())


class PinForm(forms.Form):
    employee_number = forms.CharField(
        label=_("Employee number"),
        max_length=20,
        widget=secret_widget(inputmode="numeric", autofocus=True),
    )
    pin = forms.CharField(
        label=_("PIN"),
        max_length=20,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )


class IdentityForm(forms.Form):
    """ "Identify yourself otherwise" (docs/journeys.md#recover-identity)."""

    first_name = forms.CharField(
        label=_("First name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label=_("Last name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    birth_date = forms.DateField(
        label=_("Date of birth"),
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"invalid": _("Give the date as year-month-day, for example 1970-01-15.")},
    )
    sin_digits = forms.RegexField(
        label=_("Last six digits of your social insurance number"),
        regex=r"^\s*\d{3}\s?\d{3}\s*$",
        max_length=8,
        error_messages={"invalid": _("Type the last six digits only, for example 123456.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )

    def clean_birth_date(self):
        value = self.cleaned_data["birth_date"]
        if value > timezone.localdate() or value.year < 1900:
            raise forms.ValidationError(_("Check the date of birth."))
        return value


# Security questions: the person's own --------------------------------------------------------------


class ChosenSecretInput(forms.widgets.Input):
    """A secret the person is choosing (an answer), masked as a password is but kept after an error.
    Not a PasswordInput: nothing is checked against it here, so it is no door for the guard."""

    input_type = "password"
    template_name = "django/forms/widgets/password.html"


class QuestionRowForm(forms.Form):
    question = forms.TypedChoiceField(label=_("Question"), required=False, empty_value=None)
    # Masked against a look over the shoulder (the page offers to show them), and kept after an
    # error: an answer is not a password, and typing three answers again on a phone is how mistakes
    # are made.
    answer = forms.CharField(
        label=_("Answer"),
        max_length=200,
        required=False,
        strip=False,
        widget=ChosenSecretInput(
            attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false", "data-answer": ""},
        ),
    )
    remove = forms.BooleanField(label=_("Remove this question"), required=False)

    def __init__(self, *args, catalogue, existing=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.existing = existing  # the SecurityAnswer this row shows, if any
        # The catalogue is read once for all rows (a list), not once per row's drop-down.
        by_pk = {str(q.pk): q for q in catalogue}
        field = self.fields["question"]
        field.choices = [("", _("Choose a question")), *((str(q.pk), q.label) for q in catalogue)]
        field.coerce = by_pk.__getitem__
        if existing is not None:
            self.fields["answer"].widget.attrs["placeholder"] = "••••"
            self.fields["answer"].help_text = _("Leave empty to keep your current answer.")

    def clean(self):
        cleaned = super().clean()
        question, answer = cleaned.get("question"), cleaned.get("answer") or ""
        if cleaned.get("remove") or question is None:
            if answer.strip() and question is None:
                self.add_error("question", _("Choose the question this answer goes with."))
            return cleaned
        keeps_old = self.existing is not None and question == self.existing.question and not answer.strip()
        if keeps_old:
            return cleaned
        if not answer.strip():
            self.add_error("answer", _("Type your answer."))
            return cleaned
        length = len(" ".join(answer.split()))
        if not question.min_length <= length <= question.max_length:
            self.add_error(
                "answer",
                _("The answer must have %(min)d to %(max)d characters; it has %(length)d.")
                % {"min": question.min_length, "max": question.max_length, "length": length},
            )
        return cleaned


class QuestionsFormSet(forms.BaseFormSet):
    """The question rows (docs/journeys.md#questions-set), checked together: each question once, each
    answer once, no answer that repeats its question or the identifier, and the tenant's count
    reached."""

    def __init__(self, *args, user, purpose, required, catalogue, existing, **kwargs):
        self.user, self.purpose, self.required = user, purpose, required
        self.catalogue, self.existing = catalogue, existing
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        existing = self.existing[index] if index < len(self.existing) else None
        return {"catalogue": self.catalogue, "existing": existing}

    def clean(self):
        # Every row is checked even when another has an error, so that the page reports everything
        # at once (a row's cleaned_data holds only its valid fields).
        seen_questions, seen_answers, kept = set(), {}, 0
        identifier = normalise_answer(self.user.identifier)
        for form in self.forms:
            if not hasattr(form, "cleaned_data"):
                continue
            question = form.cleaned_data.get("question")
            if form.cleaned_data.get("remove") or question is None:
                continue
            if question.pk in seen_questions:
                form.add_error("question", _("This question is already chosen above."))
                continue
            seen_questions.add(question.pk)
            kept += 1
            answer = normalise_answer(form.cleaned_data.get("answer") or "")
            if not answer or form.has_error("answer"):
                continue
            if answer in seen_answers:
                form.add_error("answer", _("Each question needs its own answer; this one is used above."))
            if answer in normalise_answer(question.text_fr) or answer in normalise_answer(question.text_en):
                form.add_error("answer", _("The answer cannot repeat the question."))
            if answer == identifier or (identifier and identifier in answer):
                form.add_error("answer", _("The answer cannot be your identifier."))
            seen_answers[answer] = True
        if kept < self.required and not any(self.errors):
            raise forms.ValidationError(
                _("Choose %(count)d questions, each with its answer.") % {"count": self.required}
            )
        # An answer kept from before must also differ from the new ones.
        for form in self.forms:
            if not hasattr(form, "cleaned_data"):
                continue
            existing, answer = form.existing, form.cleaned_data.get("answer") or ""
            if (
                existing is not None
                and not answer.strip()
                and form.cleaned_data.get("question") == existing.question
            ):
                for other in seen_answers:
                    if existing.check_answer(other):
                        form.add_error(None, _("Each question needs its own answer; this one is used above."))


# At most nine rows (the size of a catalogue), whatever a crafted form says.
QuestionsFormSetFactory = forms.formset_factory(
    QuestionRowForm, formset=QuestionsFormSet, extra=0, max_num=9, absolute_max=9, validate_max=True
)


# Linked accounts --------------------------------------------------------------------------------------


class LinkAccountForm(forms.Form):
    tenant = forms.ModelChoiceField(label=_("Organisation"), queryset=None, empty_label=_("Choose"))
    identifier = forms.CharField(
        label=_("Identifier on that organisation"), max_length=254, widget=identifier_widget()
    )
    password = forms.CharField(
        label=_("Password on that organisation"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, tenants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tenant"].queryset = tenants


class ChangePasswordsForm(ChangePasswordForm):
    """The new password, also applied to the linked accounts ticked (docs/journeys.md#links-passwords)."""

    also = forms.MultipleChoiceField(
        label=_("Apply it to my linked accounts too"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, user, *args, linked=(), ask_current=True, **kwargs):
        super().__init__(user, *args, **kwargs)
        if not ask_current:
            del self.fields["old_password"]  # just signed in by questions or device: see flow.PROVED_AT
        self.linked = {str(u.pk): u for u in linked}
        self.fields["also"].choices = [(str(u.pk), f"{u.tenant.name} · {u.identifier}") for u in linked]
        if not linked:
            del self.fields["also"]

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("new_password1")
        if not password or self.has_error("new_password2"):
            return cleaned
        for pk in cleaned.get("also", []):
            other = self.linked[pk]
            try:
                password_validation.validate_password(password, other)
            except forms.ValidationError as error:
                self.add_error(
                    "also",
                    _("Not valid for %(account)s: %(reason)s")
                    % {
                        "account": f"{other.tenant.name} · {other.identifier}",
                        "reason": " ".join(error.messages),
                    },
                )
        return cleaned

    def chosen(self):
        return [self.linked[pk] for pk in self.cleaned_data.get("also", [])]
