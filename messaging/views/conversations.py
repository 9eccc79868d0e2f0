"""The inbox, the conversation window, posting, opening and the history (docs/journeys.md#messaging).
Every conversation is reached through selectors.access_conversation: not yours is a 404."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import FormView

from .. import actions, files, selectors
from ..forms import PostMessageForm, StartConversationForm
from .base import signed_in, signed_in_view


def _int(value, default, allowed=None):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    if allowed is not None and number not in allowed:
        return default
    return number


def _decorate(*decorators):
    def wrap(view):
        for decorator in reversed(decorators):
            view = decorator(view)
        return view

    return wrap


@_decorate(*signed_in)
def inbox(request):
    tenant = request.tenant
    facts = selectors.inbox_facts(tenant=tenant, user=request.user)
    if not any(p.email == request.user.email.lower() for p in facts.personas):
        if actions.do_claim_account_address(user=request.user, request=request) is not None:
            facts = selectors.inbox_facts(tenant=tenant, user=request.user)
    personas = facts.personas
    context = {"personas": personas, "can_start": facts.can_start, "is_admin": facts.is_admin}
    if not personas:
        return render(request, "messaging/inbox.html", context)
    tab = request.GET.get("tab")
    persona = next((p for p in personas if str(p.pk) == tab), None) if tab else personas[0]
    if persona is None:
        raise Http404
    query = selectors.InboxQuery(
        search=request.GET.get("q", "").strip()[:100],
        oldest_first=request.GET.get("order") == "oldest",
        per_page=_int(request.GET.get("per"), 10, selectors.PAGE_SIZES),
        page=request.GET.get("page") or 1,
    )
    page = selectors.inbox_page(tenant=tenant, persona=persona, query=query)
    context.update(
        persona=persona,
        page=page,
        links=_inbox_links(persona, query, page),
        query=query,
        page_sizes=selectors.PAGE_SIZES,
    )
    return render(request, "messaging/inbox.html", context)


def _inbox_links(persona, query, page):
    """The list's own addresses: reverse the order, and the pager's four (same tab, size and search)."""

    def link(**changes):
        values = {"tab": persona.pk, "per": query.per_page, "q": query.search}
        if query.oldest_first:
            values["order"] = "oldest"
        values.update(changes)
        return "?" + urlencode({key: value for key, value in values.items() if value is not None})

    return {
        "sort": link(order=None if query.oldest_first else "oldest"),
        "first": link(page=1),
        "previous": link(page=page.previous_page_number),
        "next": link(page=page.next_page_number),
        "last": link(page=page.num_pages),
    }


def _window_context(request, participation, form):
    conversation = participation.conversation
    files.prepare_field(
        form,
        limits=selectors.file_limits(tenant=request.tenant, conversation=conversation),
        context=str(conversation.pk),
    )
    older = _int(request.GET.get("older"), 0)
    window, has_older, has_newer = selectors.message_window(participation=participation, older=older)
    return {
        "participation": participation,
        "conversation": conversation,
        "reader": participation.persona,
        "window": window,
        "older": older,
        "has_older": has_older,
        "has_newer": has_newer,
        "form": form,
        "read_only": conversation.is_read_only,
    }


@_decorate(*signed_in)
def conversation(request, pk):
    participation = selectors.access_conversation(
        tenant=request.tenant, user=request.user, conversation_id=pk
    )
    actions.mark_seen(participation=participation)
    return render(
        request, "messaging/conversation.html", _window_context(request, participation, PostMessageForm())
    )


@_decorate(*signed_in, require_POST)
def post_message(request, pk):
    participation = selectors.access_conversation(
        tenant=request.tenant, user=request.user, conversation_id=pk
    )
    form = PostMessageForm(request.POST, request.FILES)
    conversation = participation.conversation
    upload_ids = None
    if form.is_valid() and not conversation.is_read_only:
        limits = selectors.file_limits(tenant=request.tenant, conversation=conversation)
        upload_ids = files.received_upload_ids(request, form, limits=limits)
    elif form.is_valid():
        upload_ids = []  # the action refuses it, with its own words
    if upload_ids is not None:
        try:
            message = actions.do_post_message(
                conversation=conversation,
                sender=participation.persona,
                body=form.cleaned_data["body"],
                upload_ids=upload_ids,
                request=request,
            )
        except actions.Refused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, _("Your message is posted."))
            return redirect(f"{reverse('messaging:conversation', args=[pk])}#message-{message.pk}")
    context = _window_context(request, participation, form)
    return render(request, "messaging/conversation.html", context, status=400 if form.errors else 200)


@_decorate(*signed_in, require_POST)
def open_message(request, pk, message_id):
    participation = selectors.access_conversation(
        tenant=request.tenant, user=request.user, conversation_id=pk
    )
    message = selectors.access_message(participation=participation, message_id=message_id)
    actions.do_open_message(message=message, participation=participation, request=request)
    older = _int(request.POST.get("older"), 0)
    query = f"?older={older}" if older else ""
    return redirect(f"{reverse('messaging:conversation', args=[pk])}{query}#message-{message.pk}")


@_decorate(*signed_in)
def activity(request, pk):
    participation = selectors.access_conversation(
        tenant=request.tenant, user=request.user, conversation_id=pk
    )
    sort = request.GET.get("sort", "date")
    if sort not in selectors.ACTIVITY_SORTS:
        sort = "date"
    descending = request.GET.get("dir") == "desc"
    entries = selectors.activity_of(conversation=participation.conversation, sort=sort, descending=descending)
    return render(
        request,
        "messaging/activity.html",
        {
            "conversation": participation.conversation,
            "entries": entries,
            "sort": sort,
            "descending": descending,
            "columns": [("name", _("Name")), ("activity", _("Activity")), ("date", _("Date"))],
        },
    )


@signed_in_view
class StartConversationView(FormView):
    """Collaborators only; anyone else, a participant's forged post included, gets a 404."""

    template_name = "messaging/start.html"
    form_class = StartConversationForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.collaborator = selectors.active_collaborator(tenant=request.tenant, user=request.user)
            if self.collaborator is None:
                raise Http404
            self.limits = selectors.file_limits(tenant=request.tenant)
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        files.prepare_field(form, limits=self.limits)
        return form

    def form_valid(self, form):
        data = form.cleaned_data
        upload_ids = files.received_upload_ids(self.request, form, limits=self.limits)
        if upload_ids is None:
            return self.form_invalid(form)
        try:
            conversation = actions.do_start_conversation(
                collaborator=self.collaborator,
                title=data["title"],
                emails=data["participants"],
                body=data["body"],
                upload_ids=upload_ids,
                request=self.request,
            )
        except actions.Refused as refused:
            form.add_error(None, refused.message)
            return self.form_invalid(form)
        messages.success(
            self.request, _("The conversation is started; each participant is notified by e-mail.")
        )
        return redirect("messaging:conversation", pk=conversation.pk)
