"""What self-service adds when a sign-in completes (accounts.stages.signed_in)."""

from django.dispatch import receiver

from accounts.stages import signed_in

from . import actions
from . import flow as flows


@receiver(signed_in)
def after_sign_in(sender, request, user, method, **kwargs):
    if method in ("questions", "device"):
        # Signed in without the password: a new one may be chosen without typing the old one, for a
        # few minutes (docs/journeys.md#selfservice-signed-in).
        flows.note_signed_in_by_proof(request)
    if sender == "selfservice" or method.endswith("+device"):
        actions.do_record_sign_in(user=user, method=method, request=request)
