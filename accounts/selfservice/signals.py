"""What self-service adds when a sign-in completes (accounts.stages.signed_in)."""

import time

from django.dispatch import receiver

from accounts.stages import signed_in

from . import actions
from .views import PROVED_AT


@receiver(signed_in)
def after_sign_in(sender, request, user, method, **kwargs):
    if method in ("questions", "device"):
        # Signed in without the password ("forgot your password?"): a new one may be chosen without
        # typing the old one, for a few minutes.
        request.session[PROVED_AT] = int(time.time())
    if sender == "selfservice" or method.endswith("+device"):
        actions.record_sign_in_method(user=user, method=method, request=request)
