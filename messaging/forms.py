"""The forms of secure conversations. They validate; the views call the actions."""

import re

from django import forms
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.forms import NewPasswordForm, email_widget
from accounts.models import User

from .uploads.api import FilesField

MAX_BODY = 20_000
MAX_PARTICIPANTS = 50


class PostMessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message"),
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    files = FilesField(label=_("Files (optional)"))


class StartConversationForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    participants = forms.CharField(
        label=_("Participants"),
        help_text=_("Their e-mail addresses, separated by commas, spaces or lines."),
        widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "off", "spellcheck": "false"}),
    )
    body = forms.CharField(
        label=_("First message"), max_length=MAX_BODY, widget=forms.Textarea(attrs={"rows": 6})
    )
    files = FilesField(label=_("Files (optional)"))

    def clean_participants(self):
        emails = [e.lower() for e in re.split(r"[\s,;]+", self.cleaned_data["participants"]) if e]
        wrong = []
        for email in emails:
            try:
                validate_email(email)
            except forms.ValidationError:
                wrong.append(email)
        if wrong:
            raise forms.ValidationError(
                _("These are not e-mail addresses: %(wrong)s"), params={"wrong": ", ".join(wrong)}
            )
        emails = list(dict.fromkeys(emails))
        if not emails:
            raise forms.ValidationError(_("Give at least one address."))
        if len(emails) > MAX_PARTICIPANTS:
            raise forms.ValidationError(
                _("At most %(count)s participants per conversation."), params={"count": MAX_PARTICIPANTS}
            )
        return emails


class EmailForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254, widget=email_widget("off"))

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class HandOverForm(forms.Form):
    successor = forms.ModelChoiceField(label=_("Successor"), queryset=None, empty_label=None)

    def __init__(self, *args, successors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["successor"].queryset = successors
        self.fields["successor"].label_from_instance = lambda c: c.persona.email


class OpenAccountForm(NewPasswordForm):
    """An account for the address a notification was sent to: the link confirmed the address, the
    person gives a name and chooses a password under the tenant's rules
    (docs/journeys.md#messaging-account)."""

    first_name = forms.CharField(
        label=_("First name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label=_("Last name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    field_order = ["first_name", "last_name", "new_password1", "new_password2"]

    def __init__(self, *, tenant, email, **kwargs):
        user = User(tenant=tenant, identifier=email, email=email)
        super().__init__(user, **kwargs)
        self.order_fields(self.field_order)

    def clean(self):
        # The rules compare the password with the person's name: give it the names typed.
        self.user.first_name = self.cleaned_data.get("first_name", "")
        self.user.last_name = self.cleaned_data.get("last_name", "")
        return super().clean()


def handed_over_text(count: int, *, collaborator, successor) -> str:
    """What the administrator and the help desk are told after a hand-over, in the same words."""
    return ngettext(
        "%(count)s conversation of %(old)s now belongs to %(new)s.",
        "%(count)s conversations of %(old)s now belong to %(new)s.",
        count,
    ) % {"count": count, "old": collaborator.persona.email, "new": successor.persona.email}
