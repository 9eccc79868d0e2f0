"""The personal vault (docs/journeys.md#menu): a person's own store of secrets for systems the portal
does not manage. The list shows labels only; an entry opens after the password is typed again (through
the guard), and each opening is recorded in the person's history. An opened entry can be changed for
a few minutes without typing the password once more. Every entry is looked up among the person's own:
another person's or another tenant's answers 404."""

import time
from dataclasses import asdict, dataclass

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from accounts.device_forms import ConfirmPasswordForm

from .. import actions, selectors, vault
from ..vault_forms import ChangeVaultEntryForm, VaultEntryForm
from .base import signed_in

OPENED = "selfservice.vault_opened"
OPENED_SECONDS = 5 * 60


@dataclass
class Opened:
    """The entry whose password prompt was passed last, and until when it may be changed."""

    entry_id: int
    until: int


def _note_opened(request, entry) -> None:
    request.session[OPENED] = asdict(Opened(entry_id=entry.pk, until=int(time.time()) + OPENED_SECONDS))


def _is_open(request, entry) -> bool:
    try:
        opened = Opened(**request.session.get(OPENED, {}))
    except TypeError:
        return False
    return opened.entry_id == entry.pk and isinstance(opened.until, int) and time.time() < opened.until


@signed_in
class VaultView(TemplateView):
    template_name = "selfservice/vault.html"

    def get_context_data(self, **kwargs):
        entries = selectors.vault_entries_of(user=self.request.user)
        return {**super().get_context_data(**kwargs), "entries": entries}


@signed_in
class AddVaultEntryView(FormView):
    template_name = "selfservice/vault_form.html"
    form_class = VaultEntryForm

    def form_valid(self, form):
        actions.do_add_vault_entry(
            user=self.request.user,
            label=form.cleaned_data["label"],
            content=form.content(),
            request=self.request,
        )
        messages.success(self.request, _("The entry is saved in your vault."))
        return redirect("selfservice:vault")


def broken(request):
    messages.error(
        request,
        _(
            "This entry can no longer be opened: the key it was sealed with has been withdrawn. "
            "You can only remove it."
        ),
    )
    return redirect("selfservice:vault")


class EntryMixin:
    opens_broken = False  # only removing an entry makes sense once it no longer opens

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.entry = selectors.access_vault_entry(user=request.user, entry_id=kwargs["pk"])
            self.label = vault.label_or_none(self.entry)
            if self.label is None and not self.opens_broken:
                return broken(request)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "entry": self.entry, "label": self.label}


class PasswordAgainMixin:
    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "request": self.request}


@signed_in
class RevealVaultEntryView(EntryMixin, PasswordAgainMixin, FormView):
    template_name = "selfservice/vault_reveal.html"
    form_class = ConfirmPasswordForm

    def form_valid(self, form):
        try:
            content = actions.do_reveal_vault_entry(entry=self.entry, request=self.request)
        except vault.VaultSealBroken:
            return broken(self.request)
        _note_opened(self.request, self.entry)
        context = self.get_context_data(form=None, content=content)
        return render(self.request, self.template_name, context)


@signed_in
class ChangeVaultEntryView(EntryMixin, FormView):
    template_name = "selfservice/vault_form.html"
    form_class = ChangeVaultEntryForm

    def get(self, request, *args, **kwargs):
        return self.closed() or super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self.closed() or super().post(request, *args, **kwargs)

    def closed(self):
        """Where to go instead of the form: the password prompt unless the entry was just opened."""
        if not _is_open(self.request, self.entry):
            messages.info(self.request, _("Type your password to open the entry, then change it."))
            return redirect("selfservice:vault_reveal", pk=self.entry.pk)
        try:
            self.content = vault.content_of(self.entry)
        except vault.VaultSealBroken:
            return broken(self.request)
        return None

    def get_initial(self):
        content = self.content
        return {"label": self.label, "identifier": content.identifier, "note": content.note}

    def form_valid(self, form):
        kept = self.content.secret
        actions.do_change_vault_entry(
            entry=self.entry,
            label=form.cleaned_data["label"],
            content=form.content(kept_secret=kept),
            request=self.request,
        )
        messages.success(self.request, _("The entry is saved in your vault."))
        return redirect("selfservice:vault")


@signed_in
class RemoveVaultEntryView(EntryMixin, PasswordAgainMixin, FormView):
    template_name = "selfservice/vault_remove.html"
    form_class = ConfirmPasswordForm
    opens_broken = True

    def form_valid(self, form):
        actions.do_remove_vault_entry(entry=self.entry, request=self.request)
        self.request.session.pop(OPENED, None)
        messages.success(self.request, _("The entry is removed from your vault."))
        return redirect("selfservice:vault")
