"""What the messaging views share."""

from django.contrib.auth.decorators import login_required
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache

signed_in = [login_required, never_cache]
signed_in_view = method_decorator(signed_in, name="dispatch")


def no_referrer(response):
    """An address that carries a token sends no referrer (as accounts' links do)."""
    response["Referrer-Policy"] = "no-referrer"
    return response
