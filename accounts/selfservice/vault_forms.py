"""The forms of the personal vault. Opening and removing an entry reuse the core's "type your password
again" form (accounts.device_forms.ConfirmPasswordForm), whose check goes through the guard."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .vault import VaultContent


def _plain(**attrs):
    # The vault's fields are the person's own notes about another system: no password manager should
    # file them as this portal's password, no spell checker should send them anywhere.
    return {"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false", **attrs}


class VaultEntryForm(forms.Form):
    label = forms.CharField(
        label=_("Name of the entry"),
        max_length=100,
        help_text=_("To recognise it in the list, for example “Bank” or “Library”."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    identifier = forms.CharField(
        label=_("Identifier on that system"),
        max_length=254,
        required=False,
        widget=forms.TextInput(attrs=_plain()),
    )
    secret = forms.CharField(
        label=_("Secret"),
        max_length=500,
        strip=False,
        help_text=_("A password, a PIN or a code of that system."),
        widget=forms.TextInput(attrs=_plain()),
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
    )

    def content(self, *, kept_secret: str = "") -> VaultContent:
        data = self.cleaned_data
        return VaultContent(
            identifier=data["identifier"], secret=data["secret"] or kept_secret, note=data["note"]
        )


class ChangeVaultEntryForm(VaultEntryForm):
    """The secret is never written back into the page: left empty, the saved one stays."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        secret = self.fields["secret"]
        secret.required = False
        secret.help_text = _("Leave empty to keep the saved secret.")
