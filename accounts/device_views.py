"""The mobile device pages: the device step of the sign-in (a stage of accounts.stages), and the
signed-in list, add (scan a QR code, confirm with the first code), rename, remove and backup codes.
They belong to the core so that a tenant requiring the device works whatever modules it has on."""

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import FormView
from django_otp import login as otp_login

from . import actions, guard, stages
from .device_forms import (
    WRONG_CODE,
    AddDeviceForm,
    ConfirmDeviceForm,
    ConfirmPasswordForm,
    DeviceCodeForm,
    RenameDeviceForm,
    pause_message,
)
from .devices import (
    AuthenticatorDevice,
    backup_codes_left,
    code_pause_seconds,
    device_code_work,
    devices_of,
    note_code_outcome,
    verify_device_code,
)
from .stages import DEVICE_GATE

signed_out = method_decorator([never_cache, sensitive_post_parameters()], name="dispatch")
signed_in = method_decorator([login_required, never_cache, sensitive_post_parameters()], name="dispatch")


@signed_out
class DeviceStepView(FormView):
    """The device stage of the sign-in: a code from the authenticator app, or a backup code, after the
    first proof. The session is not signed in until the code is right."""

    template_name = "selfservice/step_device.html"
    form_class = DeviceCodeForm

    def dispatch(self, request, *args, **kwargs):
        found = stages.pending(request)
        if found is None or found[2] != stages.DeviceStage.key:
            messages.info(request, _("Please start again: the page expired or was opened directly."))
            return redirect("accounts:login")
        self.pending, self.account, _waiting = found
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        found = {}
        code = form.cleaned_data["code"]
        tenant, identifier = self.account.tenant, self.account.identifier
        wait = code_pause_seconds(tenant, identifier, code)

        def check():
            if wait:  # django-otp would refuse even the right code: it is not tried
                return False
            found["device"] = verify_device_code(self.account, code)
            return found["device"] is not None and self.account.is_active

        # An app's code costs no hash and a backup code one per code left: the guard makes up the
        # difference, so an account with few backup codes left costs as much as one with a full set.
        hashes, spent = device_code_work(self.account, code)
        verdict = guard.check_secret(
            self.request,
            account=self.account,
            identifier=self.account.identifier,
            check=check,
            hashes=hashes,
            spent=spent,
            audit=guard.PROOF_FAILED,
            details={"step": self.request.resolver_match.url_name},
        )
        if not wait:
            note_code_outcome(tenant, identifier, verdict.ok)
        if not verdict.ok:
            form.add_error(None, verdict.error or (pause_message(wait) if wait else WRONG_CODE))
            return self.form_invalid(form)
        return stages.passed(self.request, stages.DeviceStage.key, device=found["device"])


# Signed in ---------------------------------------------------------------------------------------------


@login_required
@never_cache
def devices(request):
    user = request.user
    return render(
        request,
        "selfservice/devices.html",
        {
            "devices": devices_of(user),
            "backup_left": backup_codes_left(user),
            "required": user.tenant.account_settings.device_required_for(user),
        },
    )


PENDING_DEVICE = "_selfservice_pending_device"  # the name sessions already carry


@signed_in
class AddDeviceView(FormView):
    """Step 1: a name and the password again. Step 2: scan the code, type the first code."""

    template_name = "selfservice/add_device.html"
    form_class = AddDeviceForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "request": self.request}

    def form_valid(self, form):
        user = self.request.user
        device = actions.do_start_device(user=user, name=form.cleaned_data["name"])
        self.request.session[PENDING_DEVICE] = device.pk
        return redirect("accounts:confirm_device")


@signed_in
class ConfirmDeviceView(FormView):
    template_name = "selfservice/confirm_device.html"
    form_class = ConfirmDeviceForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.device = (
                AuthenticatorDevice.objects.for_tenant(request.user.tenant)
                .filter(user=request.user, confirmed=False, pk=request.session.get(PENDING_DEVICE))
                .first()
            )
            if self.device is None:
                return redirect("accounts:devices")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        issuer = self.request.tenant.name
        uri = self.device.provisioning_uri(issuer)
        qr = segno.make(uri, error="m")
        return {
            **super().get_context_data(**kwargs),
            "device": self.device,
            "qr_svg": qr.svg_data_uri(scale=5, border=2),
            "key_groups": " ".join(self.device.base32_key[i : i + 4] for i in range(0, 32, 4)),
        }

    def form_valid(self, form):
        device = self.device
        if not device.verify_token(form.cleaned_data["code"]):
            form.add_error(
                "code",
                _(
                    "This code is not the one the app shows. "
                    "Check the time on your phone and type the current code."
                ),
            )
            return self.form_invalid(form)
        codes = actions.do_confirm_device(device=device, request=self.request)
        self.request.session.pop(PENDING_DEVICE, None)
        self.request.session.pop(DEVICE_GATE, None)
        otp_login(self.request, device)
        self.request.session.cycle_key()
        messages.success(
            self.request, _("Your device is registered. Keep these backup codes somewhere safe.")
        )
        return render(self.request, "selfservice/backup_codes.html", {"codes": codes, "fresh": True})


@signed_in
class RenameDeviceView(FormView):
    template_name = "selfservice/rename_device.html"
    form_class = RenameDeviceForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.device = get_object_or_404(
                AuthenticatorDevice.objects.for_tenant(request.user.tenant),
                pk=kwargs["pk"],
                user=request.user,
            )
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {"name": self.device.name}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "device": self.device}

    def form_valid(self, form):
        actions.do_rename_device(device=self.device, name=form.cleaned_data["name"], request=self.request)
        messages.success(self.request, _("The device is renamed."))
        return redirect("accounts:devices")


@signed_in
class RemoveDeviceView(RenameDeviceView):
    template_name = "selfservice/remove_device.html"
    form_class = ConfirmPasswordForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "request": self.request}

    def get_initial(self):
        return {}

    def form_valid(self, form):
        actions.do_remove_device(device=self.device, actor=self.request.user, request=self.request)
        messages.success(self.request, _("The device is removed. Its codes no longer work."))
        return redirect("accounts:devices")


@signed_in
class BackupCodesView(FormView):
    """New backup codes (the old ones stop working), shown once, to print."""

    template_name = "selfservice/new_backup_codes.html"
    form_class = ConfirmPasswordForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "request": self.request}

    def form_valid(self, form):
        codes = actions.do_renew_backup_codes(user=self.request.user, request=self.request)
        return render(self.request, "selfservice/backup_codes.html", {"codes": codes})
