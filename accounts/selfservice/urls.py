"""Under /<tenant>/self-service/. The namespace `selfservice` belongs to the tenant's "accounts" module:
portal.tenancy answers 404 when a tenant has not switched it on."""

from django.urls import path
from django.views.generic import RedirectView

from . import views


def moved(name):
    return RedirectView.as_view(pattern_name=name)


app_name = "selfservice"
urlpatterns = [
    # Signing in (seed 000 steps 2-5)
    path("sign-in/", views.SignInView.as_view(), name="sign_in"),
    path("sign-in/methods/", views.MethodsView.as_view(), name="methods"),
    path("sign-in/password/", views.PasswordStepView.as_view(), name="password"),
    path("sign-in/questions/", views.QuestionsStepView.as_view(), name="questions_step"),
    path("sign-in/device/", views.DeviceStepView.as_view(), name="device"),
    # Recovery (seed 002)
    path("password/forgot/", views.ForgotPasswordView.as_view(), name="forgot_password"),
    path("password/forgot/next/", views.recover, name="recover"),
    path("password/forgot/questions/", views.QuestionsStepView.as_view(), name="recover_questions"),
    path("password/forgot/device/", views.DeviceStepView.as_view(), name="recover_device"),
    path("password/forgot/pin/", views.PinStepView.as_view(), name="recover_pin"),
    path("password/forgot/identity/", views.IdentityStepView.as_view(), name="recover_identity"),
    path("password/forgot/code/", views.MailCodeStepView.as_view(), name="recover_mail_code"),
    path("password/forgot/new/", views.RecoverNewPasswordView.as_view(), name="recover_new_password"),
    path("identifier/forgot/", views.ForgotIdentifierView.as_view(), name="forgot_identifier"),
    path("identifier/forgot/pin/", views.PinStepView.as_view(), name="identifier_pin"),
    path("identifier/forgot/identity/", views.IdentityStepView.as_view(), name="identifier_identity"),
    path("identifier/found/", views.identifier_found, name="identifier_found"),
    # Unlock, signed out
    path("unlock/", views.UnlockView.as_view(), name="unlock"),
    path("unlock/methods/", views.UnlockMethodsView.as_view(), name="unlock_methods"),
    path("unlock/questions/", views.QuestionsStepView.as_view(), name="unlock_questions"),
    path("unlock/device/", views.DeviceStepView.as_view(), name="unlock_device"),
    # "Mon profil" (seed 000 step 6)
    path("", views.menu, name="menu"),
    path("passwords/", views.ChangePasswordsView.as_view(), name="change_passwords"),
    path("accounts/unlock/", views.unlock_accounts, name="unlock_accounts"),
    path("questions/", views.QuestionsView.as_view(), name="questions"),
    path("questions/help-desk/", views.HelpDeskQuestionsView.as_view(), name="helpdesk_questions"),
    path("questions/try/", views.TryQuestionsView.as_view(), name="try_questions"),
    path("history/", views.history, name="history"),
    # The device pages are the core's (accounts:devices…); the old addresses lead there.
    path("devices/", moved("accounts:devices")),
    path("devices/add/", moved("accounts:add_device")),
    path("devices/backup-codes/", moved("accounts:backup_codes")),
    path("links/", views.LinksView.as_view(), name="links"),
    path("links/<int:pk>/remove/", views.unlink, name="unlink"),
]
