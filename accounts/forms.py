from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import forms as auth_forms
from django.forms import BoundField
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from . import guard
from .backends import authenticate_here
from .models import check_private_number
from .password_validation import fold
from .selectors import user_for_sign_in

IDENTIFIER_LABELS = {
    "user_id": _("User ID"),
    "code": _("Access code"),
    "email": _("E-mail address"),
    "identifier_or_email": _("12-digit identifier or personal e-mail"),
}

# The same, inside a sentence ("I don't know my access code").
IDENTIFIER_NOUNS = {
    "user_id": _("user ID"),
    "code": _("access code"),
    "email": _("e-mail address"),
    "identifier_or_email": _("identifier"),
}

WRONG_CREDENTIALS = _(
    "The identifier or the password is incorrect. Mind capital letters and special characters."
)


def identifier_label(tenant):
    return (
        IDENTIFIER_LABELS.get(tenant.account_settings.sign_in_with, _("Identifier"))
        if tenant
        else _("Identifier")
    )


def identifier_noun(tenant):
    return (
        IDENTIFIER_NOUNS.get(tenant.account_settings.sign_in_with, _("identifier"))
        if tenant
        else _("identifier")
    )


def identifier_widget(**extra):
    return forms.TextInput(
        attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false", **extra}
    )


def email_widget(autocomplete="email"):
    return forms.EmailInput(
        attrs={"autocomplete": autocomplete, "autocapitalize": "none", "spellcheck": "false"}
    )


class LockoutMixin:
    """A sign-in form (portal or help desk): the password goes through the guard."""

    def clean(self):
        identifier = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if identifier is None or not password:
            return self.cleaned_data
        request = self.request
        tenant = getattr(request, "tenant", None)
        account = user_for_sign_in(tenant=tenant, identifier=identifier)

        def check():
            self.user_cache = authenticate_here(
                request, identifier=identifier, password=password, account=account
            )
            return self.user_cache is not None

        verdict = guard.check_secret(
            request, account=account, identifier=identifier, check=check, audit=None if account else _UNKNOWN
        )
        if not verdict.ok:
            raise forms.ValidationError(
                verdict.error or WRONG_CREDENTIALS, code="locked" if verdict.locked else "invalid_login"
            )
        self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


# A wrong password for a real account is audited by Django's user_login_failed signal (accounts.signals);
# an identifier that names no account is never checked, so the guard records the same entry.
_UNKNOWN = "auth.sign_in_failed"


class SignInForm(LockoutMixin, auth_forms.AuthenticationForm):
    """Sign in to the request's tenant. One message whether the identifier exists or not."""

    error_messages = {"invalid_login": WRONG_CREDENTIALS, "inactive": WRONG_CREDENTIALS}

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        tenant = getattr(request, "tenant", None)
        username = self.fields["username"]
        username.label = identifier_label(tenant)
        username.widget = identifier_widget(autofocus=True)
        username.max_length = 254
        if tenant and tenant.account_settings.identifier_hint:
            describe_by(username, IDENTIFIER_HINT_ID)
        self.fields["password"].label = _("Password")


class HelpDeskSignInForm(LockoutMixin, AdminAuthenticationForm):
    """The admin sign-in, under the same lockout as the portal's."""

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = identifier_label(getattr(request, "tenant", None))


class ForgotPasswordForm(forms.Form):
    """The identifier and the e-mail on file (docs/journeys.md#reset-ask). Where the identifier is
    the e-mail address, it is asked once."""

    identifier = forms.CharField(max_length=254, widget=identifier_widget(autofocus=True))
    email = forms.EmailField(label=_("E-mail address on file"), max_length=254, widget=email_widget())

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["identifier"].label = identifier_label(tenant)
        if tenant.account_settings.sign_in_with == "email":
            del self.fields["email"]
            self.fields["identifier"] = forms.EmailField(
                label=identifier_label(tenant), max_length=254, widget=email_widget()
            )
            self.fields["identifier"].widget.attrs["autofocus"] = True

    def email_on_file(self) -> str:
        return self.cleaned_data.get("email", self.cleaned_data["identifier"]).lower()


class ConfirmedEmailMixin:
    """`email` and `email_confirm` must agree (case aside)."""

    def clean(self):
        cleaned = super().clean()
        email, again = cleaned.get("email"), cleaned.get("email_confirm")
        if email and again and email.lower() != again.lower():
            self.add_error("email_confirm", _("The two e-mail addresses differ."))
        return cleaned


def _address_taken(user, email) -> bool:
    from .models import User

    return User.objects.for_tenant(user.tenant).filter(email=email).exclude(pk=user.pk).exists()


ADDRESS_TAKEN = _("This address is already used by another account; use another one.")


class LostIdentifierForm(ConfirmedEmailMixin, forms.Form):
    """Every field is required (docs/journeys.md#lostid-form)."""

    last_name = forms.CharField(
        label=_("Last name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    first_name = forms.CharField(
        label=_("First name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    birth_town = forms.CharField(label=_("Town of birth"), max_length=120)
    birth_month = forms.TypedChoiceField(
        label=_("Month of birth"), coerce=int, choices=[("", _("Choose a month")), *MONTHS.items()]
    )
    mobile_phone = forms.CharField(
        label=_("Mobile number"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    email = forms.EmailField(label=_("E-mail address on file"), max_length=254, widget=email_widget())
    email_confirm = forms.EmailField(
        label=_("E-mail address again"), max_length=254, widget=email_widget("off")
    )
    private_number = forms.CharField(
        label=_("Your private number"),
        max_length=30,
        help_text=_("Printed on your enrolment letter, below the identifier."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    consent = forms.BooleanField(
        label=_("I have read the privacy policy and I accept it."),
        error_messages={"required": _("Please accept the privacy policy to continue.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        describe_by(self.fields["consent"], CONSENT_NOTE_ID)

    def matches(self, user, record) -> bool:
        """Every answer must agree with the account and what its file says (`record`, an
        IdentityRecord or None): names and town folded, phone by its digits."""
        data = self.cleaned_data
        phone = "".join(c for c in data["mobile_phone"] if c.isdigit())
        on_file = "".join(c for c in (record.mobile_phone if record else "") if c.isdigit())
        checks = [
            record is not None,
            fold(data["last_name"]) == fold(user.last_name),
            fold(data["first_name"]) == fold(user.first_name),
            record is not None and fold(data["birth_town"]) == fold(record.birth_town),
            record is not None and data["birth_month"] == record.birth_month,
            bool(on_file) and phone[-9:] == on_file[-9:],
        ]
        secret_ok = check_private_number(record, data["private_number"])  # always spends its hash
        return all(checks) and secret_ok


class MemberActivationForm(forms.Form):
    """A member without a password starts with the member number and the e-mail on file
    (docs/journeys.md#activate-ask)."""

    member_number = forms.CharField(
        label=_("Member number"),
        max_length=20,
        help_text=_("Six digits, starting with 9, on your membership card."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "autofocus": True}),
    )
    email = forms.EmailField(label=_("E-mail address on file"), max_length=254, widget=email_widget())


class EmailRegistrationForm(ConfirmedEmailMixin, forms.Form):
    """A member without an e-mail on file asks the help desk to add one
    (docs/journeys.md#register-email-ask)."""

    member_number = forms.CharField(
        label=_("Member number"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "autofocus": True}),
    )
    first_name = forms.CharField(
        label=_("First name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label=_("Last name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    email = forms.EmailField(label=_("E-mail address"), max_length=254, widget=email_widget())
    email_confirm = forms.EmailField(
        label=_("E-mail address again"), max_length=254, widget=email_widget("off")
    )


class DescribedBoundField(BoundField):
    """A field also described by a part of the page outside its group (its `described_by` ids: the
    list of password rules, the "Where do I find it?" hint), read before its own help and error."""

    @property
    def aria_describedby(self):
        own = super().aria_describedby
        if own is None:  # the widget names its own description
            return None
        return " ".join([*self.field.described_by, *filter(None, [own])])


def describe_by(field, *ids):
    field.described_by = ids
    field.bound_field_class = DescribedBoundField


RULES_LIST_ID = "password-rules-list"  # includes/password_rules.html
IDENTIFIER_HINT_ID = "identifier-hint"  # accounts/identifier_hint.html
CONSENT_NOTE_ID = "consent-note"  # accounts/consent_note.html, with the link to the privacy policy


class PasswordFieldsMixin:
    """Labels, autocomplete and the live-check hooks of the new-password fields.

    Django checks the rules on the confirmation and skips them when the two entries differ; here a
    rule error sits on the new password, where the person chose it, and is reported together with
    the mismatch."""

    def clean(self):
        self.validate_passwords("new_password1", "new_password2")
        self.validate_password_for_user(self.user, "new_password1")
        return forms.Form.clean(self)

    def _style_new_password(self):
        first, second = self.fields["new_password1"], self.fields["new_password2"]
        first.label, second.label = _("New password"), _("New password again")
        first.help_text = ""
        describe_by(first, RULES_LIST_ID)
        first.widget.attrs.update(
            {"autocomplete": "new-password", "data-password-rules": "", "maxlength": 256}
        )
        second.widget.attrs.update({"autocomplete": "new-password", "data-password-confirm": ""})


class NewPasswordForm(PasswordFieldsMixin, auth_forms.SetPasswordForm):
    """Choose a password (reset link, activation, or a password the help desk asked to change)."""

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        self._style_new_password()


class CurrentPasswordMixin:
    """A signed-in session types its password again: the prompt goes through the guard, so wrong tries
    count towards the account's lock like any other."""

    def check_current_password(self, password, message):
        user = self.user
        verdict = guard.check_secret(
            self.request,
            account=user,
            identifier=user.identifier,
            tenant=user.tenant,
            check=lambda: user.check_password(password),
            audit=None,
        )
        if not verdict.ok:
            raise forms.ValidationError(verdict.error or message, code="password_incorrect")
        return password


class ChangePasswordForm(CurrentPasswordMixin, PasswordFieldsMixin, auth_forms.PasswordChangeForm):
    def __init__(self, user, *args, request, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)
        self._style_new_password()
        self.fields["old_password"].label = _("Current password")

    def clean_old_password(self):
        return self.check_current_password(
            self.cleaned_data["old_password"], self.error_messages["password_incorrect"]
        )


class EnrolmentForm(ConfirmedEmailMixin, PasswordFieldsMixin, auth_forms.SetPasswordForm):
    """Vault first sign-in: a personal e-mail and a password of one's own, before anything else."""

    email = forms.EmailField(
        label=_("Personal e-mail address"),
        max_length=254,
        help_text=_("We send a link to confirm it. It also becomes a second identifier to sign in."),
        widget=email_widget(),
    )
    email_confirm = forms.EmailField(
        label=_("E-mail address again"), max_length=254, widget=email_widget("off")
    )
    field_order = ["email", "email_confirm", "new_password1", "new_password2"]

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        self._style_new_password()
        self.order_fields(self.field_order)
        self.fields["email"].widget.attrs["autofocus"] = True

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        if _address_taken(self.user, email):
            raise forms.ValidationError(ADDRESS_TAKEN)
        return email


class ResendEmailForm(forms.Form):
    email = forms.EmailField(
        label=_("Wrong address? Give another one"), required=False, max_length=254, widget=email_widget()
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_email(self):
        email = (self.cleaned_data.get("email") or "").lower()
        if email and _address_taken(self.user, email):
            raise forms.ValidationError(ADDRESS_TAKEN)
        return email


class ChangeEmailForm(CurrentPasswordMixin, forms.Form):
    email = forms.EmailField(label=_("New e-mail address"), max_length=254, widget=email_widget())
    password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("To protect your account, confirm it is you."),
    )

    def __init__(self, *args, user, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.request = user, request

    def clean_email(self):
        return self.cleaned_data["email"].lower()

    def clean_password(self):
        return self.check_current_password(
            self.cleaned_data["password"], _("Your current password is incorrect.")
        )

    def clean(self):
        cleaned = super().clean()
        email = cleaned.get("email")
        # Nothing is said about the address, least of all that another account uses it, until the
        # password is right.
        if email and "password" in cleaned:
            if email == self.user.email:
                self.add_error("email", _("This is already your address."))
            elif _address_taken(self.user, email):
                self.add_error("email", ADDRESS_TAKEN)
        return cleaned


class LanguageForm(forms.Form):
    preferred_language = forms.ChoiceField(
        label=_("Language of the portal and of e-mails"), choices=settings.LANGUAGES
    )
