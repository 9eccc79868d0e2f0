import inspect
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required, login_required
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.decorators import method_decorator
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django.views.generic import FormView, TemplateView

from portal.context_processors import cached_reverse

from . import actions, guard, lockout, stages
from .forms import (
    ChangeEmailForm,
    ChangePasswordForm,
    EmailRegistrationForm,
    EnrolmentForm,
    ForgotPasswordForm,
    LanguageForm,
    LostIdentifierForm,
    MemberActivationForm,
    NewPasswordForm,
    ResendEmailForm,
    SignInForm,
    fold,
    identifier_label,
)
from .language import set_language_cookie
from .models import AccountSettings, User
from .password_rules import rules_context
from .selectors import (
    audit_entries_about,
    identity_record_of,
    member_number_of,
    member_with_number,
    user_for_sign_in,
)
from .tokens import LinkTicket, email_tokens, user_from_uid

HISTORY_LENGTH = 30
# One recovery mail per account per this many seconds, so a form cannot flood someone's mailbox.
RECOVERY_MAIL_INTERVAL = 60
# The forms that mail a link to the address on file count their failures on their own key: the link
# goes to the owner's mailbox, so a lock that others caused on the sign-in must not stop it.
MAILED_LINK = "mailed-link"


def _no_referrer(response):
    response["Referrer-Policy"] = "no-referrer"
    return response


def _recovery_mail_allowed(user) -> bool:
    return cache.add(f"recovery-mail:{user.pk}", 1, timeout=RECOVERY_MAIL_INTERVAL)


def _require(flag):
    """Recovery paths a tenant has not enabled answer 404, like a page that does not exist."""

    def check(request):
        if not getattr(request.tenant.account_settings, flag):
            raise Http404

    return check


# An identifier the person has just found (self-service), offered once in the sign-in form. In the
# session, not the address: an address ends up in the history and the logs.
FOUND_IDENTIFIER = "sign-in-identifier"


def offer_identifier_for_sign_in(request, identifier: str) -> None:
    request.session[FOUND_IDENTIFIER] = identifier


# What django.utils.cache.add_never_cache_headers writes on a response without either header.
NEVER_CACHED = "max-age=0, no-cache, no-store, must-revalidate, private"


def _never_cached(view):
    """Django's never_cache, for the sign-in page: the same two headers. A response that has neither
    gets them set at once; Django's parses and joins Cache-Control twice, after the hash on every
    sign-in (benchmarks/README.md, "Sign-in: the floor of a Django sign-in"). A response that has one
    already goes through Django's own."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if "Cache-Control" in response or "Expires" in response:
            add_never_cache_headers(response)
        else:
            response.headers["Expires"] = http_date()
            response.headers["Cache-Control"] = NEVER_CACHED
        return response

    return wrapper


class SignInView(auth_views.LoginView):
    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    # LoginView wraps its dispatch in four method_decorators, which build their wrappers (and a CSRF
    # middleware) again at every request: the same decorators wrap the view once per process instead,
    # in the same order (benchmarks/README.md, "Sign-in: 2026-11-30 (third) session").
    dispatch = inspect.unwrap(auth_views.LoginView.dispatch)

    @classmethod
    def as_view(cls, **initkwargs):
        view = super().as_view(**initkwargs)
        return login_not_required(sensitive_post_parameters()(csrf_protect(_never_cached(view))))

    def get_redirect_url(self):
        # No `next` asked for: Django's check would answer "" too, after looking the host up.
        name = self.redirect_field_name
        if not (self.request.POST.get(name) or self.request.GET.get(name)):
            return ""
        return super().get_redirect_url()

    def get_default_redirect_url(self):
        # LoginView reverses LOGIN_REDIRECT_URL at every sign-in; a view name's address is reversed
        # once per process (per urlconf, tenant and language).
        if self.next_page or "/" in settings.LOGIN_REDIRECT_URL:
            return super().get_default_redirect_url()
        return cached_reverse(settings.LOGIN_REDIRECT_URL)

    def get_initial(self):
        initial = super().get_initial()
        if self.request.method == "GET" and FOUND_IDENTIFIER in self.request.session:
            initial["username"] = self.request.session.pop(FOUND_IDENTIFIER)
        return initial

    def form_valid(self, form):
        # The password was right: the stages after it (the device, ...) come before the session is
        # signed in; the last one signs in and sets the language.
        # LoginView checked the address it sends to (a `next` on this host, else the home page).
        return stages.begin(
            self.request,
            form.get_user(),
            method="password",
            next_url=self.get_success_url(),
            next_url_checked=True,
        )


class SignOutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            # Signed in on another tenant only: leave that session alone.
            return redirect(self.get_success_url())
        return super().post(request, *args, **kwargs)


# Recovery ---------------------------------------------------------------------------------------


@method_decorator([never_cache, sensitive_post_parameters()], name="dispatch")
class RecoveryFormView(FormView):
    """A recovery form: the same answer page whatever the outcome; the work happens in `act`."""

    done_template = "accounts/recovery_done.html"
    enabled_by = "allow_password_reset"

    def dispatch(self, request, *args, **kwargs):
        _require(self.enabled_by)(request)
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        self.act(form)
        return render(
            self.request, self.done_template, {"kind": self.kind, "mail_interval": RECOVERY_MAIL_INTERVAL}
        )


class ForgotPasswordView(RecoveryFormView):
    template_name = "accounts/forgot_password.html"
    form_class = ForgotPasswordForm
    kind = "reset"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "tenant": self.request.tenant}

    def act(self, form):
        tenant, request = self.request.tenant, self.request
        identifier, email = form.cleaned_data["identifier"], form.email_on_file()
        user = user_for_sign_in(tenant=tenant, identifier=identifier)
        verdict = guard.check_secret(
            request,
            account=user,
            identifier=identifier,
            check=lambda: user.is_active and bool(user.email) and user.email == email,
            hashes=0,
            scope=MAILED_LINK,
        )
        if verdict.ok and _recovery_mail_allowed(user):
            actions.do_send_password_link(user=user, request=request)


class LostIdentifierView(RecoveryFormView):
    template_name = "accounts/lost_identifier.html"
    form_class = LostIdentifierForm
    enabled_by = "allow_lost_identifier"
    kind = "identifier"

    def act(self, form):
        tenant, request = self.request.tenant, self.request
        email = form.cleaned_data["email"].lower()
        candidates = [
            u
            for u in User.objects.for_tenant(tenant).filter(email=email, is_active=True)[:5]
            if fold(u.last_name) == fold(form.cleaned_data["last_name"])
        ]
        user = candidates[0] if len(candidates) == 1 else None
        verdict = guard.check_secret(
            request,
            account=user,
            identifier=email,
            check=lambda: form.matches(user, identity_record_of(tenant=tenant, user=user)),
        )
        if verdict.ok:
            actions.do_answer_lost_identifier(
                user=user, mail_link=_recovery_mail_allowed(user), request=request
            )


class MemberActivationView(RecoveryFormView):
    template_name = "accounts/activate.html"
    form_class = MemberActivationForm
    enabled_by = "allow_member_activation"
    kind = "activation"

    def act(self, form):
        tenant, request = self.request.tenant, self.request
        number = "".join(form.cleaned_data["member_number"].split())
        email = form.cleaned_data["email"].lower()
        user = member_with_number(tenant=tenant, member_number=number, active_only=True)
        verdict = guard.check_secret(
            request,
            account=user,
            identifier=f"member:{number}",
            check=lambda: bool(user.email) and user.email == email,
            hashes=0,
            scope=MAILED_LINK,
        )
        if verdict.ok and _recovery_mail_allowed(user):
            reason = "reset" if user.has_usable_password() else "activation"
            actions.do_send_password_link(user=user, request=request, reason=reason)


class EmailRegistrationView(RecoveryFormView):
    template_name = "accounts/register_email.html"
    form_class = EmailRegistrationForm
    enabled_by = "allow_email_registration"
    kind = "registration"

    def act(self, form):
        tenant, data = self.request.tenant, form.cleaned_data
        if lockout.address_blocked(self.request):
            return
        number = "".join(data["member_number"].split())
        user = member_with_number(tenant=tenant, member_number=number)
        if user is not None and fold(user.last_name) != fold(data["last_name"]):
            user = None
        if user is None:
            # Counted like a failed attempt, so the form cannot be used to sweep member numbers.
            lockout.register_address_failure(self.request)
        actions.do_request_email_registration(
            tenant=tenant,
            member=user,
            member_number=number,
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            request=self.request,
        )


RESET_TICKET = "accounts.reset_link"


@method_decorator([sensitive_post_parameters(), never_cache], name="dispatch")
class ResetPasswordView(auth_views.PasswordResetConfirmView):
    """The link of a reset, activation or lost-identifier mail. As in Django's view, the token leaves
    the address bar at once (and sends no referrer), but the session keeps only a ticket of it
    (accounts.tokens.LinkTicket), never the live token; the account is looked up on this tenant only."""

    template_name = "accounts/reset_password.html"
    form_class = NewPasswordForm
    post_reset_login = False
    success_url = reverse_lazy("accounts:login")

    def get_user(self, uidb64):
        return user_from_uid(self.request.tenant, uidb64)

    @property
    def token_generator(self):
        from .tokens import password_tokens

        return password_tokens

    def dispatch(self, request, *args, **kwargs):
        self.validlink = False
        self.user = self.get_user(kwargs["uidb64"])
        token = kwargs["token"]
        session = request.session
        # The address with the token sends no referrer. The form page that follows carries no token
        # and keeps the same-origin policy: with "no-referrer" browsers post "Origin: null", which
        # the CSRF check rightly refuses.
        if token != self.reset_url_token:
            if self.user is not None and self.token_generator.check_token(self.user, token):
                session[RESET_TICKET] = LinkTicket.issue(self.user, token)
                return _no_referrer(redirect(request.path.replace(token, self.reset_url_token)))
            return _no_referrer(self.get(request, *args, **kwargs))
        # A session from before tickets may still hold the token itself: it becomes a ticket.
        legacy = session.pop(auth_views.INTERNAL_RESET_SESSION_TOKEN, None)
        if self.user is not None and legacy and self.token_generator.check_token(self.user, legacy):
            session[RESET_TICKET] = LinkTicket.issue(self.user, legacy)
        if LinkTicket.holds(self.token_generator, self.user, session.get(RESET_TICKET)):
            self.validlink = True
            # Django's own dispatch would look for the token in the session: go straight to the form.
            return super(auth_views.PasswordResetConfirmView, self).dispatch(request, *args, **kwargs)
        return self.get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.user is not None:
            context.update(rules_context(self.user))
            context["first_password"] = not self.user.has_usable_password()
        return context

    def form_valid(self, form):
        actions.do_set_password(
            user=self.user,
            raw_password=form.cleaned_data["new_password1"],
            request=self.request,
            by_link=True,
        )
        self.request.session.pop(RESET_TICKET, None)
        messages.success(self.request, _("Your password is set. Sign in with it now."))
        return redirect(self.success_url)


# Signed in --------------------------------------------------------------------------------------


class OwnAccountFormView(FormView):
    """A form about the signed-in person's own account: the form gets the account."""

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}


@method_decorator([login_required, sensitive_post_parameters(), never_cache], name="dispatch")
class NewPasswordView(OwnAccountFormView):
    """The help desk (or a lost-identifier request) asked for a new password before going further.
    ChangePasswordView is the same with the current password asked first."""

    template_name = "accounts/new_password.html"
    form_class = NewPasswordForm
    success_message = gettext_lazy("Your new password is saved.")
    success_url = reverse_lazy("home")

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **rules_context(self.request.user)}

    def form_valid(self, form):
        actions.do_set_password(
            user=self.request.user, raw_password=form.cleaned_data["new_password1"], request=self.request
        )
        update_session_auth_hash(self.request, self.request.user)
        messages.success(self.request, self.success_message)
        return redirect(self.success_url)


@method_decorator([login_required, sensitive_post_parameters(), never_cache], name="dispatch")
class EnrolmentView(OwnAccountFormView):
    """Vault first sign-in (docs/journeys.md#first-details): a personal e-mail, confirmed by a link,
    and a password."""

    template_name = "accounts/enrol.html"
    form_class = EnrolmentForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.enrolment_pending:
            return redirect("home")
        if request.user.is_authenticated and request.user.pending_email:
            return redirect("accounts:enrol_check_mail")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **rules_context(self.request.user)}

    def form_valid(self, form):
        user = self.request.user
        actions.do_enrol(
            user=user,
            email=form.cleaned_data["email"],
            raw_password=form.cleaned_data["new_password1"],
            request=self.request,
        )
        update_session_auth_hash(self.request, user)
        return redirect("accounts:enrol_check_mail" if user.enrolment_pending else "home")


@method_decorator([login_required, never_cache], name="dispatch")
class EnrolmentCheckMailView(OwnAccountFormView):
    """Waiting for the confirmation of the personal e-mail; the link can be sent again, or to another
    address if the first one was mistyped."""

    template_name = "accounts/enrol_check_mail.html"
    form_class = ResendEmailForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.enrolment_pending:
            return redirect("home")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        user = self.request.user
        email = form.cleaned_data.get("email")
        if email and email != user.pending_email:
            actions.do_change_pending_email(user=user, email=email, request=self.request)
        elif _recovery_mail_allowed(user):
            actions.do_send_email_verification(user=user, request=self.request)
        messages.success(
            self.request,
            _("We sent the link to %(email)s. It works for one hour.") % {"email": user.pending_email},
        )
        return redirect("accounts:enrol_check_mail")


CONFIRM_SESSION_KEY = "accounts.confirm_link"
# What older sessions kept: the token itself. Read once, as a ticket, then dropped.
LEGACY_CONFIRM_SESSION_KEY = "_confirm_email_token"
CONFIRM_URL_TOKEN = "confirm"  # noqa: S105 - a path segment, not a secret


@method_decorator([never_cache, csrf_protect], name="dispatch")
class ConfirmEmailView(TemplateView):
    """The link of a confirmation mail. Like Django's reset view, the token leaves the address at once,
    so the page that follows neither shows nor leaks it; the session keeps only a ticket of it
    (accounts.tokens.LinkTicket), never the live token. The page asks for a button press: mail
    scanners that open links confirm nothing, only the person's click does."""

    template_name = "accounts/confirm_email.html"

    def dispatch(self, request, *args, **kwargs):
        self.account = user_from_uid(request.tenant, kwargs["uidb64"])
        token = kwargs["token"]
        if token != CONFIRM_URL_TOKEN:
            if self.account is not None and email_tokens.check_token(self.account, token):
                request.session[CONFIRM_SESSION_KEY] = LinkTicket.issue(self.account, token)
                response = redirect(request.path.replace(f"/{token}/", f"/{CONFIRM_URL_TOKEN}/"))
            else:
                self.valid = False
                response = super().dispatch(request, *args, **kwargs)
            return _no_referrer(response)
        legacy = request.session.pop(LEGACY_CONFIRM_SESSION_KEY, None)
        if self.account is not None and legacy and email_tokens.check_token(self.account, legacy):
            request.session[CONFIRM_SESSION_KEY] = LinkTicket.issue(self.account, legacy)
        self.valid = LinkTicket.holds(email_tokens, self.account, request.session.get(CONFIRM_SESSION_KEY))
        return super().dispatch(request, *args, **kwargs)

    def owner_must_sign_in(self) -> bool:
        """An address a help-desk agent typed is confirmed by its owner signed in, never by whoever
        reads that mailbox: the agent may read it."""
        account, user = self.account, self.request.user
        signed_in_as_owner = user.is_authenticated and user.pk == account.pk
        return bool(account.pending_email and account.pending_email_from_desk and not signed_in_as_owner)

    def get_context_data(self, **kwargs):
        address = (self.account.pending_email or self.account.email) if self.valid else ""
        return {
            **super().get_context_data(**kwargs),
            "valid": self.valid,
            "address": address,
            "sign_in_first": self.valid and self.owner_must_sign_in(),
        }

    def post(self, request, *args, **kwargs):
        if not self.valid or self.owner_must_sign_in():
            return self.get(request, *args, **kwargs)
        actions.do_confirm_email(user=self.account, request=request)
        request.session.pop(CONFIRM_SESSION_KEY, None)
        messages.success(
            request,
            _("Thank you: your e-mail address %(email)s is confirmed.") % {"email": self.account.email},
        )
        signed_in_here = request.user.is_authenticated and request.user.pk == self.account.pk
        return redirect("accounts:profile" if signed_in_here else "accounts:login")


@method_decorator([login_required, never_cache], name="dispatch")
class ProfileView(TemplateView):
    """ "My profile" (docs/journeys.md#profile-open)."""

    template_name = "accounts/profile.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        history = audit_entries_about(tenant=user.tenant, target=user).only(
            "action", "created_at", "ip_address", "actor_label", "actor_id"
        )[:HISTORY_LENGTH]
        return {
            **super().get_context_data(**kwargs),
            "identifier_label": (
                _("12-digit identifier")
                if user.tenant.account_settings.sign_in_with == AccountSettings.SignIn.IDENTIFIER_OR_EMAIL
                else identifier_label(user.tenant)
            ),
            "language_form": LanguageForm(initial={"preferred_language": user.preferred_language}),
            # The device pages are the core's: where the tenant requires a device, they are reached
            # from here even when the self-service menu, which also lists them, is off.
            "devices_offered": user.tenant.has_module("selfservice")
            or user.tenant.account_settings.device_required_for(user),
            "history": history,
            "member_number": member_number_of(user=user),
        }


@login_required
@require_POST
def send_verification(request):
    user = request.user
    if user.email_verified and not user.pending_email:
        messages.info(request, _("Your e-mail address is already verified."))
    elif not (user.pending_email or user.email):
        messages.error(request, _("There is no e-mail address on your profile yet."))
    else:
        if _recovery_mail_allowed(user):
            actions.do_send_email_verification(user=user, request=request)
        messages.success(
            request,
            _(
                "A verification e-mail is on its way to %(email)s. "
                "Open it and follow the link within one hour."
            )
            % {"email": user.pending_email or user.email},
        )
    return redirect("accounts:profile")


@login_required
@require_POST
def change_language(request):
    form = LanguageForm(request.POST)
    if not form.is_valid():
        return redirect("accounts:profile")
    language = form.cleaned_data["preferred_language"]
    actions.do_change_language(user=request.user, language=language, request=request)
    translation.activate(language)
    messages.success(request, _("Your language is saved."))
    response = redirect("accounts:profile")
    set_language_cookie(response, language)
    return response


@method_decorator([login_required, sensitive_post_parameters(), never_cache], name="dispatch")
class ChangeEmailView(OwnAccountFormView):
    template_name = "accounts/change_email.html"
    form_class = ChangeEmailForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def form_valid(self, form):
        actions.do_request_email_change(
            user=self.request.user, new_email=form.cleaned_data["email"], request=self.request
        )
        messages.success(
            self.request,
            _(
                "Almost done: open the e-mail we sent to %(email)s and follow its link within one hour. "
                "Until then, your current address stays in use."
            )
            % {"email": form.cleaned_data["email"]},
        )
        return redirect("accounts:profile")


@method_decorator([login_required, sensitive_post_parameters(), never_cache], name="dispatch")
class ChangePasswordView(NewPasswordView):
    template_name = "accounts/change_password.html"
    form_class = ChangePasswordForm
    success_message = gettext_lazy("Your password is changed. Your other sessions are signed out.")
    success_url = reverse_lazy("accounts:profile")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}


def privacy_policy(request):
    """The tenant's privacy policy (its own text, in the page's language), or the portal's short one.
    Open to everyone: it is read before an account is used, from the forms that ask for personal data."""
    policy = request.tenant.account_settings.privacy_policy
    return render(request, "accounts/privacy.html", {"policy": policy})
