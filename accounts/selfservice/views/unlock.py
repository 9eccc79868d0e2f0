"""Unlocking an account: signed out, by a proof and without the password (docs/journeys.md#unlock);
signed in, this account and the linked ones (docs/journeys.md#links-unlock)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts import lockout

from .. import actions, selectors
from ..flow import Purpose
from .base import IdentifierView
from .signin import MethodsView


class UnlockView(IdentifierView):
    """A locked person proves who they are by questions or device and lifts the lock, no password."""

    template_name = "selfservice/unlock.html"
    purpose = Purpose.UNLOCK
    next_step = "selfservice:unlock_methods"


class UnlockMethodsView(MethodsView):
    template_name = "selfservice/unlock_methods.html"
    purposes = (Purpose.UNLOCK,)


@login_required
@never_cache
def unlock_accounts(request):
    """This account and the linked ones, with their state; a linked account that is locked can be
    unlocked from here, since its owner proved it when linking."""
    user = request.user
    accounts = [user, *selectors.linked_accounts(user=user)]
    if request.method == "POST":
        target = next((a for a in accounts[1:] if str(a.pk) == request.POST.get("account")), None)
        if target is not None:
            actions.do_self_unlock(user=target, method="linked", request=request, actor=target)
            messages.success(request, _("The account is unlocked."))
        return redirect("selfservice:unlock_accounts")
    keys = [lockout.lock_key(a.tenant, user=a) for a in accounts]
    states = lockout.current_states(keys)
    rows = [{"account": a, "locked": states[key].locked} for a, key in zip(accounts, keys, strict=True)]
    return render(request, "selfservice/unlock_accounts.html", {"rows": rows})
