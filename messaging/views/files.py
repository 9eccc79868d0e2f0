"""A file of a conversation (docs/journeys.md#messaging-window): only its people download it, after
the access check; messaging.uploads hands over the bytes (streamed, or a 5-minute S3 address)."""

from .. import actions, selectors
from ..uploads import api
from .base import signed_in
from .conversations import _decorate


@_decorate(*signed_in)
def download(request, pk, upload_id):
    participation = selectors.access_conversation(
        tenant=request.tenant, user=request.user, conversation_id=pk
    )
    attachment = selectors.access_attachment(participation=participation, upload_id=upload_id)
    response = api.serve(request, attachment.upload)  # 404 unless the file is clean
    actions.do_download_attachment(attachment=attachment, participation=participation, request=request)
    return response
