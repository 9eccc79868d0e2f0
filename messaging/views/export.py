"""The ZIP export of a conversation (docs/journeys.md#messaging-export): the collaborator in charge
only; anyone else gets the 404 of a conversation that does not exist."""

from django.http import StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.http import content_disposition_header

from .. import export, selectors
from .base import signed_in
from .conversations import _decorate


@_decorate(*signed_in)
def export_conversation(request, pk):
    participation = selectors.access_export(tenant=request.tenant, user=request.user, conversation_id=pk)
    export.do_export_conversation(
        tenant=request.tenant, participation=participation, actor=request.user, request=request
    )
    now = timezone.now()
    archive = export.ConversationArchive(
        participation=participation,
        language=translation.get_language(),
        time_zone=timezone.get_current_timezone(),
        now=now,
    )
    response = StreamingHttpResponse(iter(archive), content_type="application/zip")
    response["Content-Disposition"] = content_disposition_header(
        True, export.archive_name(participation.conversation, now)
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
