"""Sign-in as a list of stages after the first proof, after django-allauth's login stages.

Whoever checks the first proof (the core's sign-in page, the help desk's, self-service's password,
questions or device step) calls `begin()`. The controller keeps a pending sign-in in the session and
runs each stage in order: a stage either lets the sign-in go on (returns None) or answers with its own
page; that page calls `passed()` when the person gets through it, and the controller goes on with the
next stage. When every stage is through, the session is signed in, the device used (if any) is
remembered, `signed_in` is sent and the person lands on `next_url`.

The core's stages: the device code (a tenant that requires the device, for a person who has one), then
enrolment (the same tenant, a person without a device: the session is signed in but held on the
device pages until one is added). An app adds its own with `register_stage()`, from its AppConfig.ready,
without the core knowing it.
"""

import time
from dataclasses import asdict, dataclass, field

from django.contrib.auth import login, logout
from django.dispatch import Signal
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import login as otp_login

from .devices import has_device
from .language import set_language_cookie
from .models import User

BACKEND = "accounts.backends.TenantBackend"
PENDING = "_portail_sign_in"
PENDING_SECONDS = 15 * 60
# Set on a session that went through every stage: accounts.middleware runs them for one that did not.
DONE = "_portail_stages_done"
# Set when the tenant requires a mobile device after the password and the person has none: adding one
# comes before anything else (accounts.middleware holds the session on the device pages; confirming a
# device lifts it).
DEVICE_GATE = "_selfservice_enrol_device"

# Sent once every stage is through: sender is the origin given to begin(); also request, user, method.
signed_in = Signal()


@dataclass
class PendingSignIn:
    """What the session remembers between two stages."""

    user_id: int
    method: str
    next_url: str = ""
    origin: str = "accounts"
    device_id: str = ""  # the device already verified (a sign-in by device code), if any
    signed_in: bool = False  # the session was signed in by the help desk's own sign-in page
    handled: list[str] = field(default_factory=list)
    at: int = 0


class Stage:
    """One step after the first proof. `handle()` returns None to go on, or the response of the page
    the person must get through; that page calls `passed(request, key)`."""

    key = ""

    def __init__(self, request, user, pending: PendingSignIn):
        self.request, self.user, self.pending = request, user, pending

    def handle(self):
        return None


def _device_required(user) -> bool:
    tenant = user.tenant
    return tenant is not None and tenant.account_settings.device_required_for(user)


class DeviceStage(Stage):
    """The code of the mobile device, before the session is signed in."""

    key = "device"

    def handle(self):
        if self.pending.device_id or not _device_required(self.user):
            return None
        if not has_device(self.user):
            return None
        if self.request.user.is_authenticated:
            logout(self.request)  # the password alone does not keep the session
        return redirect("accounts:sign_in_device")


class DeviceEnrolmentStage(Stage):
    """No device yet where one is required: signed in, but the device pages come first."""

    key = "enrol_device"

    def handle(self):
        if self.pending.device_id or not _device_required(self.user):
            return None
        if not has_device(self.user):
            self.request.session[DEVICE_GATE] = True
        return None


_stages: list[type[Stage]] = [DeviceStage, DeviceEnrolmentStage]


def register_stage(stage: type[Stage], *, before: str = "") -> None:
    """Add a stage (from an AppConfig.ready): last, or before the stage whose key is `before`."""
    if any(s.key == stage.key for s in _stages):
        return
    keys = [s.key for s in _stages]
    _stages.insert(keys.index(before) if before in keys else len(_stages), stage)


def stages() -> list[type[Stage]]:
    return list(_stages)


def begin(request, user, *, method, next_url="", next_url_checked=False, device=None, origin="accounts"):
    """The first proof was right: run the stages. Returns the response to send, or None when the
    session was already signed in (the help desk's page) and every stage let it through. `next_url`
    is checked to stay on this host, unless the caller checked it already (`next_url_checked`)."""
    if (
        next_url
        and not next_url_checked
        and not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()})
    ):
        next_url = ""
    pending = PendingSignIn(
        user_id=user.pk,
        method=method,
        next_url=next_url,
        origin=origin,
        device_id=device.persistent_id if device is not None else "",
        signed_in=request.user.is_authenticated and request.user.pk == user.pk,
        at=int(time.time()),
    )
    return _advance(request, user, pending, device)


def pending(request):
    """(the pending sign-in, its account, the key of the stage waiting) or None."""
    data = request.session.get(PENDING)
    if not data:
        return None
    current = PendingSignIn(**data)
    if time.time() - current.at > PENDING_SECONDS:
        abort(request)
        return None
    tenant = getattr(request, "tenant", None)
    user = User.objects.for_tenant(tenant).filter(pk=current.user_id).first() if tenant else None
    if user is None or not user.is_active:
        abort(request)
        return None
    waiting = next((s.key for s in _stages if s.key not in current.handled), "")
    return current, user, waiting


def passed(request, key, *, device=None):
    """The person got through the page of stage `key`: go on with the next stages."""
    found = pending(request)
    if found is None:
        return redirect("accounts:login")
    current, user, _waiting = found
    current.handled.append(key)
    if device is not None:
        current.device_id = device.persistent_id
        current.method = f"{current.method}+device"
    return _advance(request, user, current, device)


def abort(request):
    request.session.pop(PENDING, None)


def _advance(request, user, current: PendingSignIn, device):
    for stage_class in _stages:
        if stage_class.key in current.handled:
            continue
        response = stage_class(request, user, current).handle()
        if response is not None:
            # Saved after the stage ran: a stage may have signed the session out (which empties it).
            current.signed_in = request.user.is_authenticated
            request.session[PENDING] = asdict(current)
            return response
        current.handled.append(stage_class.key)
    return _finish(request, user, current, device)


def _finish(request, user, current: PendingSignIn, device):
    request.session.pop(PENDING, None)
    already = current.signed_in and request.user.is_authenticated
    if not already:
        login(request, user, backend=BACKEND)
    if device is not None:
        otp_login(request, device)
    request.session[DONE] = True
    signed_in.send(sender=current.origin, request=request, user=user, method=current.method)
    if already:
        return None
    translation.activate(user.preferred_language)
    # A path (what every caller of begin() gives) is sent as it is: redirect() would first try it as a
    # view name, and fail, before it did.
    next_url = current.next_url
    response = HttpResponseRedirect(next_url) if next_url.startswith("/") else redirect(next_url or "home")
    set_language_cookie(response, user.preferred_language)
    return response
