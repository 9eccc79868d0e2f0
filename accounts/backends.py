import re

from django.conf import settings
from django.contrib.auth import _clean_credentials, authenticate
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.views.decorators.debug import sensitive_variables

from .models import User
from .selectors import user_for_sign_in
from .user_state import load_user

NOT_LOOKED_UP = object()

# A provisional secret is issued as three groups of four hexadecimal characters ("3D92-DB93-9763", on
# the enrolment letter). Copied from paper or a phone, it arrives in lower case, without its dashes or
# with spaces: for an account still waiting for its first sign-in, such an entry is put back in the
# issued shape before the one hash, so it costs the same and counts the same.
_PROVISIONAL = re.compile(r"[0-9A-F]{12}")


def fold_provisional_secret(raw: str) -> str:
    folded = "".join(c for c in raw if c not in " -\u2010\u2011\u2013\t").upper()
    if not _PROVISIONAL.fullmatch(folded):
        return raw
    return "-".join(folded[i : i + 4] for i in range(0, 12, 4))


class TenantBackend(ModelBackend):
    """Authenticates against the accounts of the request's tenant only (platform accounts at /admin/)."""

    def authenticate(
        self, request, identifier=None, password=None, tenant=None, account=NOT_LOOKED_UP, **kwargs
    ):
        """`account`: the sign-in form has already looked the identifier up (for the lockout); None
        when it names no account. Otherwise the backend looks it up on the request's tenant."""
        identifier = identifier if identifier is not None else kwargs.get("username")
        if identifier is None or password is None:
            return None
        if tenant is None and request is not None:
            tenant = getattr(request, "tenant", None)
        if account is NOT_LOOKED_UP:
            user = user_for_sign_in(tenant=tenant, identifier=identifier)
        else:
            user = (
                account if account is None or account.tenant_id == (tenant.pk if tenant else None) else None
            )
        if user is not None and tenant is not None:
            user.tenant = tenant  # already loaded: the audit entry and the session need no second query
        if user is None:
            # Spend the same hashing time as for a real account, so timing does not reveal it.
            User().set_password(password)
            return None
        if user.enrolment_pending:
            password = fold_provisional_secret(password)
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id):
        # Called with the id stored in the session, never with user input; the tenant is checked
        # (and attached, without a query) by portal.tenancy.TenantUserMiddleware. The row comes from
        # the cache when it holds the current one (accounts/user_state.py says why that is safe).
        user = load_user(user_id)
        if user is None:
            return None
        return user if self.user_can_authenticate(user) else None


BACKEND_PATH = f"{TenantBackend.__module__}.{TenantBackend.__qualname__}"
_BACKEND = TenantBackend()


@sensitive_variables("credentials")
def authenticate_here(request, **credentials):
    """django.contrib.auth.authenticate() when TenantBackend is the one backend configured, as in every
    settings module; with others configured (a test does), Django's own. Django's loads the backend from
    its dotted path, builds it, binds the credentials to its signature and iterates a generator at
    every sign-in, about a thousand bytecodes after the previous sign-in's hash (benchmarks/README.md,
    "Sign-in: the client, settings and the one backend"). The rest is Django's: the backend's path on
    the user it answers, and `user_login_failed` (with the credentials cleaned by Django) when it
    answers None or refuses with PermissionDenied."""
    if settings.AUTHENTICATION_BACKENDS != [BACKEND_PATH]:
        return authenticate(request, **credentials)
    try:
        user = _BACKEND.authenticate(request, **credentials)
    except PermissionDenied:
        user = None
    if user is None:
        user_login_failed.send(
            sender=authenticate.__module__, credentials=_clean_credentials(credentials), request=request
        )
        return None
    user.backend = BACKEND_PATH
    return user
