from django.contrib.auth.backends import ModelBackend

from .models import User
from .selectors import user_for_sign_in


class TenantBackend(ModelBackend):
    """Authenticates against the accounts of the request's tenant only (platform accounts at /admin/)."""

    def authenticate(self, request, identifier=None, password=None, tenant=None, **kwargs):
        identifier = identifier if identifier is not None else kwargs.get("username")
        if identifier is None or password is None:
            return None
        if tenant is None and request is not None:
            tenant = getattr(request, "tenant", None)
        user = user_for_sign_in(tenant=tenant, identifier=identifier)
        if user is None:
            # Spend the same hashing time as for a real account, so timing does not reveal it.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id):
        # Called with the id stored in the session, never with user input; the tenant is checked
        # by portal.tenancy.TenantUserMiddleware.
        user = User.objects.filter(pk=user_id).select_related("tenant").first()  # tenant-guard: session id
        return user if user is not None and self.user_can_authenticate(user) else None
