from django.urls import path

from . import device_views, views

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-out/", views.SignOutView.as_view(), name="logout"),
    # The device stage of the sign-in (accounts.stages)
    path("sign-in/device/", device_views.DeviceStepView.as_view(), name="sign_in_device"),
    # Recovery (signed out)
    path("password/forgot/", views.ForgotPasswordView.as_view(), name="forgot_password"),
    path(
        "password/reset/<uidb64>/<token>/", views.ResetPasswordView.as_view(), name="password_reset_confirm"
    ),
    path("identifier/lost/", views.LostIdentifierView.as_view(), name="lost_identifier"),
    path("activate/", views.MemberActivationView.as_view(), name="activate"),
    path("register-email/", views.EmailRegistrationView.as_view(), name="register_email"),
    path("email/confirm/<uidb64>/<token>/", views.ConfirmEmailView.as_view(), name="confirm_email"),
    # Before anything else (see accounts.middleware.CredentialGateMiddleware)
    path("welcome/", views.EnrolmentView.as_view(), name="enrol"),
    path("welcome/check-mail/", views.EnrolmentCheckMailView.as_view(), name="enrol_check_mail"),
    path("password/new/", views.NewPasswordView.as_view(), name="new_password"),
    # Profile
    path("privacy/", views.privacy_policy, name="privacy"),
    path("profile/", views.ProfileView.as_view(), name="profile"),
    path("profile/email/", views.ChangeEmailView.as_view(), name="change_email"),
    path("profile/email/verify/", views.send_verification, name="send_verification"),
    path("profile/password/", views.ChangePasswordView.as_view(), name="change_password"),
    path("profile/language/", views.change_language, name="change_language"),
    # Mobile devices
    path("devices/", device_views.devices, name="devices"),
    path("devices/add/", device_views.AddDeviceView.as_view(), name="add_device"),
    path("devices/add/confirm/", device_views.ConfirmDeviceView.as_view(), name="confirm_device"),
    path("devices/<int:pk>/rename/", device_views.RenameDeviceView.as_view(), name="rename_device"),
    path("devices/<int:pk>/remove/", device_views.RemoveDeviceView.as_view(), name="remove_device"),
    path("devices/backup-codes/", device_views.BackupCodesView.as_view(), name="backup_codes"),
]
