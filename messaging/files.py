"""How the conversations use messaging.uploads (its api.py is the one door): the limits of a message,
the files of a posted form, and the notice to a sender whose file the virus check held."""

from django.http import Http404
from django.urls import reverse

from accounts.actions import mail_user
from portal.tenancy import tenant_url

from . import selectors
from .models import Attachment
from .uploads import api


def limits_for_request(request, context: str) -> api.Limits:
    """For the chunked upload views, before the first byte: `context` is the conversation's id (a
    reply) or "" (a new conversation, collaborators only). Anyone else gets a 404."""
    tenant, user = request.tenant, request.user
    if context:
        if not context.isdigit():
            raise Http404
        participation = selectors.access_conversation(tenant=tenant, user=user, conversation_id=int(context))
        if participation.conversation.is_read_only:
            raise Http404
        return selectors.file_limits(tenant=tenant, conversation=participation.conversation)
    if selectors.active_collaborator(tenant=tenant, user=user) is None:
        raise Http404
    return selectors.file_limits(tenant=tenant)


def prepare_field(form, *, limits: api.Limits, context: str = "") -> None:
    """The limits shown before the upload starts, and the chunked upload for large files."""
    field = form.fields["files"]
    field.set_limits(limits)
    field.enable_resumable(upload_url=reverse("messaging:uploads:create"), context=context)


def received_upload_ids(request, form, *, limits: api.Limits) -> list | None:
    """The ids of the files of this post: those sent in chunks beforehand (hidden fields) and those of
    the plain file input, stored and scanned now, outside the message's transaction. None when a file
    is refused: the form then carries the reason, and the typed text stays."""
    ids = request.POST.getlist(api.UPLOAD_IDS_FIELD)
    files = form.cleaned_data.get("files") or []
    if files:
        try:
            received = api.receive_files(
                tenant=request.tenant, owner=request.user, files=files, limits=limits
            )
        except api.UploadRefused as refused:
            form.add_error("files", refused.message)
            return None
        ids += [str(upload.pk) for upload in received]
    return ids


def tell_sender_a_file_was_held(sender, upload, **kwargs):
    """A file sent in chunks was flagged once complete: its sender learns it from a mail with a link to
    the conversation (never the file's name or content)."""
    attachment = (
        Attachment.objects.for_tenant(upload.tenant_id)
        .filter(upload=upload)
        .select_related("message")
        .first()
    )
    if attachment is None:
        return
    link = tenant_url(
        upload.tenant, "messaging:conversation", kwargs={"pk": attachment.message.conversation_id}
    )
    mail_user(upload.owner, "messaging_file_held", link=link)
