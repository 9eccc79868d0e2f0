"""Under /<tenant>/self-service/. The namespace `selfservice` belongs to the tenant's "accounts" module:
portal.tenancy answers 404 when a tenant has not switched it on."""

from django.urls import path
from django.views.generic import RedirectView

from .views import links, profile, recovery, signin, unlock, vault


def moved(name):
    return RedirectView.as_view(pattern_name=name)


app_name = "selfservice"
urlpatterns = [
    # Signing in (docs/journeys.md#selfservice)
    path("sign-in/", signin.SignInView.as_view(), name="sign_in"),
    path("sign-in/methods/", signin.MethodsView.as_view(), name="methods"),
    path("sign-in/password/", signin.PasswordStepView.as_view(), name="password"),
    path("sign-in/questions/", signin.QuestionsStepView.as_view(), name="questions_step"),
    path("sign-in/device/", signin.DeviceStepView.as_view(), name="device"),
    # Recovery (docs/journeys.md#recover, #identifier)
    path("password/forgot/", recovery.ForgotPasswordView.as_view(), name="forgot_password"),
    path("password/forgot/next/", recovery.recover, name="recover"),
    path("password/forgot/questions/", signin.QuestionsStepView.as_view(), name="recover_questions"),
    path("password/forgot/device/", signin.DeviceStepView.as_view(), name="recover_device"),
    path("password/forgot/pin/", recovery.PinStepView.as_view(), name="recover_pin"),
    path("password/forgot/identity/", recovery.IdentityStepView.as_view(), name="recover_identity"),
    path("password/forgot/code/", recovery.MailCodeStepView.as_view(), name="recover_mail_code"),
    path("password/forgot/new/", recovery.RecoverNewPasswordView.as_view(), name="recover_new_password"),
    path("identifier/forgot/", recovery.ForgotIdentifierView.as_view(), name="forgot_identifier"),
    path("identifier/forgot/pin/", recovery.PinStepView.as_view(), name="identifier_pin"),
    path("identifier/forgot/identity/", recovery.IdentityStepView.as_view(), name="identifier_identity"),
    path("identifier/found/", recovery.identifier_found, name="identifier_found"),
    # Unlock, signed out (docs/journeys.md#unlock)
    path("unlock/", unlock.UnlockView.as_view(), name="unlock"),
    path("unlock/methods/", unlock.UnlockMethodsView.as_view(), name="unlock_methods"),
    path("unlock/questions/", signin.QuestionsStepView.as_view(), name="unlock_questions"),
    path("unlock/device/", signin.DeviceStepView.as_view(), name="unlock_device"),
    # The self-service menu (docs/journeys.md#menu)
    path("", profile.menu, name="menu"),
    path("passwords/", profile.ChangePasswordsView.as_view(), name="change_passwords"),
    path("accounts/unlock/", unlock.unlock_accounts, name="unlock_accounts"),
    path("questions/", profile.QuestionsView.as_view(), name="questions"),
    path("questions/help-desk/", profile.HelpDeskQuestionsView.as_view(), name="helpdesk_questions"),
    path("questions/try/", profile.TryQuestionsView.as_view(), name="try_questions"),
    path("history/", profile.history, name="history"),
    # The device pages are the core's (accounts:devices…); the old addresses lead there.
    path("devices/", moved("accounts:devices")),
    path("devices/add/", moved("accounts:add_device")),
    path("devices/backup-codes/", moved("accounts:backup_codes")),
    path("links/", links.LinksView.as_view(), name="links"),
    path("links/<int:pk>/remove/", links.unlink, name="unlink"),
    # The personal vault (docs/journeys.md#menu)
    path("vault/", vault.VaultView.as_view(), name="vault"),
    path("vault/add/", vault.AddVaultEntryView.as_view(), name="vault_add"),
    path("vault/<int:pk>/", vault.RevealVaultEntryView.as_view(), name="vault_reveal"),
    path("vault/<int:pk>/change/", vault.ChangeVaultEntryView.as_view(), name="vault_change"),
    path("vault/<int:pk>/remove/", vault.RemoveVaultEntryView.as_view(), name="vault_remove"),
]
