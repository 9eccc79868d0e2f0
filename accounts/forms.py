from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

IDENTIFIER_LABELS = {
    "user_id": _("User ID"),
    "code": _("Access code"),
    "email": _("E-mail address"),
    "identifier_or_email": _("12-digit identifier or personal e-mail"),
}


WRONG_CREDENTIALS = _(
    "The identifier or the password is incorrect. Mind capital letters and special characters."
)


class SignInForm(AuthenticationForm):
    """Sign in to the request's tenant. One message whether the identifier exists or not."""

    error_messages = {"invalid_login": WRONG_CREDENTIALS, "inactive": WRONG_CREDENTIALS}

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        tenant = getattr(request, "tenant", None)
        username = self.fields["username"]
        username.label = (
            IDENTIFIER_LABELS.get(tenant.sign_in_with, _("Identifier")) if tenant else _("Identifier")
        )
        username.widget = forms.TextInput(
            attrs={
                "autocomplete": "username",
                "autocapitalize": "none",
                "spellcheck": "false",
                "autofocus": True,
            }
        )
        username.max_length = 254
        self.fields["password"].label = _("Password")
