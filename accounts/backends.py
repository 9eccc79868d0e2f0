from django.contrib.auth.backends import ModelBackend

from .models import User
from .selectors import user_for_sign_in

NOT_LOOKED_UP = object()


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
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id):
        # Called with the id stored in the session, never with user input; the tenant is checked
        # (and attached, without a query) by portal.tenancy.TenantUserMiddleware.
        try:
            user = User.objects.get(pk=user_id)  # tenant-guard: the id comes from the session
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
