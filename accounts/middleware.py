"""Two rules that hold on every page of a signed-in person:

- session limits: signed out after the tenant's idle time (default one hour) and, whatever the
  activity, after its absolute limit (default 24 hours);
- credentials first: a vault employee's first sign-in (personal e-mail and password) and a password
  the help desk asked to change come before anything else."""

import time

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.utils.functional import LazyObject, empty
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp import DEVICE_ID_SESSION_KEY

from . import stages, user_state
from .stages import DEVICE_GATE

STARTED, SEEN = "_portail_started", "_portail_seen"
# The last-seen time is written at most this often, so most pages do not rewrite the session.
SEEN_RESOLUTION = 60

# The tenant's stylesheet and the language switch serve every page, the gated ones included.
ALWAYS_OPEN = {"theme", "set_language"}
ENROLMENT_PAGES = {"enrol", "enrol_check_mail", "confirm_email", "logout"}
NEW_PASSWORD_PAGES = {"new_password", "logout"}
# accounts.stages sets DEVICE_GATE when the tenant requires a mobile device after the password and the
# person has none: adding one comes before anything else (accounts.device_views.ConfirmDeviceView lifts it).
DEVICE_PAGES = {"add_device", "confirm_device", "logout"}


def start_session_clock(request):
    now = int(time.time())
    request.session[STARTED] = now
    request.session[SEEN] = now


def _unwrapped(user):
    while isinstance(user, LazyObject):
        if user._wrapped is empty:
            user._setup()
        user = user._wrapped
    return user


def _limits(tenant):
    if tenant is None:
        return 60 * 60, 24 * 3600
    policy = tenant.account_settings
    return policy.session_idle_minutes * 60, policy.session_max_hours * 3600


class AccountSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The person's state may come with the session, read in the same round trip (accounts/sessions.py).
        with user_state.reading_for(getattr(request, "session", None)):
            return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # Every view needs to know who it serves, so the user is loaded here anyway; the page then reads
        # the person itself, not through two lazy wrappers (the auth and tenant middleware's), which
        # every attribute of it in a template went through.
        user = request.user = _unwrapped(request.user)
        if not user.is_authenticated:
            return None
        ended = self._session_ended(request)
        if ended:
            logout(request)
            messages.info(request, ended)
            return redirect_to_login(request.get_full_path())
        if request.tenant is None:
            return None  # platform administrators have no first sign-in or portal pages
        match = request.resolver_match
        name = match.url_name if match else None
        in_accounts = match is not None and match.namespace == "accounts"
        if name in ALWAYS_OPEN:
            return None
        if user.enrolment_pending and not (in_accounts and name in ENROLMENT_PAGES):
            return redirect("accounts:enrol")
        if (
            user.must_change_password
            and not user.enrolment_pending
            and not (in_accounts and name in NEW_PASSWORD_PAGES)
        ):
            return redirect("accounts:new_password")
        held = self._stages(request, user)
        if held is not None:
            return held
        if request.session.get(DEVICE_GATE) and not (in_accounts and name in DEVICE_PAGES):
            messages.warning(
                request, _("Your organisation asks for a mobile device after the password. Add one now.")
            )
            return redirect("accounts:add_device")
        return None

    def _stages(self, request, user):
        """A session signed in without the sign-in stages (the help desk's sign-in page, say) goes
        through them now, on its first page. And where the tenant requires the device, a session
        without one (the policy changed since the sign-in) goes through them again. Costs nothing for
        a session that went through them: afterwards it holds the mark, and the device it was
        verified with or the enrolment gate."""
        policy = request.tenant.account_settings
        session = request.session
        device_missing = not (
            policy.device_policy == policy.DevicePolicy.ALTERNATIVE
            or not policy.device_required_for(user)
            or session.get(DEVICE_ID_SESSION_KEY)
            or session.get(DEVICE_GATE)
        )
        if session.get(stages.DONE) and not device_missing:
            return None
        return stages.begin(request, user, method="password", next_url=request.get_full_path())

    def _session_ended(self, request):
        idle, absolute = _limits(request.tenant)
        now = int(time.time())
        session = request.session
        started, seen = session.get(STARTED), session.get(SEEN)
        if started is None or seen is None:
            start_session_clock(request)  # a session from before these limits existed
            return None
        if now - seen > idle:
            minutes = idle // 60
            return ngettext(
                "You were signed out after %(minutes)d minute without activity. Sign in again to continue.",
                "You were signed out after %(minutes)d minutes without activity. Sign in again to continue.",
                minutes,
            ) % {"minutes": minutes}
        if now - started > absolute:
            return _("Your session reached its time limit. Sign in again to continue.")
        if now - seen >= SEEN_RESOLUTION:
            session[SEEN] = now
        return None
