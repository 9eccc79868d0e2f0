"""The forms of the mobile device pages and of the device step of the sign-in."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .forms import CurrentPasswordMixin

WRONG_CODE = _("This code is not valid. Type the 6 digits your app shows now, or one of your backup codes.")


def pause_message(seconds: int) -> str:
    return ngettext(
        "Wait %(seconds)d second after a wrong code, then type the code your app shows.",
        "Wait %(seconds)d seconds after a wrong code, then type the code your app shows.",
        seconds,
    ) % {"seconds": seconds}


def code_widget():
    return forms.TextInput(
        attrs={
            "autocomplete": "one-time-code",
            "inputmode": "numeric",
            "autofocus": True,
            "spellcheck": "false",
        }
    )


class DeviceCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=40,
        help_text=_("Six digits. Lost your phone? Type one of your printed backup codes instead."),
        widget=code_widget(),
    )


class ConfirmPasswordForm(CurrentPasswordMixin, forms.Form):
    """The password again before a change to the devices; wrong tries count under the guard."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        help_text=_("To protect your account, confirm it is you."),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.request = user, request

    def clean_password(self):
        return self.check_current_password(self.cleaned_data["password"], _("Your password is incorrect."))


class AddDeviceForm(ConfirmPasswordForm):
    name = forms.CharField(
        label=_("Name of the device"),
        max_length=64,
        initial=_("My phone"),
        help_text=_("To recognise it in the list, for example “Personal phone”."),
    )
    field_order = ["name", "password"]


class ConfirmDeviceForm(forms.Form):
    code = forms.CharField(label=_("Code shown by the app"), max_length=10, widget=code_widget())


class RenameDeviceForm(forms.Form):
    name = forms.CharField(label=_("New name"), max_length=64)
