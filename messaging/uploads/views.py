"""Resumable uploads, after the core of tus 1.0 (creation by POST, then PATCH with Upload-Offset,
HEAD for the offset to resume from). Only the owner reaches an upload; anyone else gets 404. CSRF stays
on: the script sends the token in X-CSRFToken. The form path without JavaScript needs none of this."""

from django.http import Http404, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from . import api, chunks, storage
from .models import Upload

TUS_HEADERS = {"Tus-Resumable": "1.0.0", "Cache-Control": "no-store"}
CHUNK_TYPE = "application/offset+octet-stream"


def _json(data: dict, status: int = 200, **headers) -> JsonResponse:
    response = JsonResponse(data, status=status)
    for key, value in {**TUS_HEADERS, **headers}.items():
        response[key] = value
    return response


def _refused(error: api.UploadRefused) -> JsonResponse:
    status = 413 if error.code in {"too_large", "quota"} else 422
    return _json({"code": error.code, "message": error.message}, status=status)


def _signed_in(request) -> bool:
    return request.user.is_authenticated and request.tenant is not None


def _owned_upload(request, upload_id) -> Upload:
    upload = api.get_upload(tenant=request.tenant, upload_id=upload_id)
    if upload.owner_id != request.user.pk:
        raise Http404  # the same answer as an id that does not exist
    return upload


def _status(request, upload: Upload) -> dict:
    data = {
        "id": str(upload.pk),
        "name": upload.name,
        "offset": upload.size,
        "size": upload.declared_size,
        "status": upload.status,
        "url": request.path,
    }
    if upload.status == Upload.Status.HELD:
        data["message"] = api.refuse_flagged(upload.name).message
    return data


@never_cache
@require_POST
def create_upload(request):
    """POST name, size, type and context (the page's data-upload-context) → 201 with the id and url."""
    if not _signed_in(request):
        return _json({"code": "signed_out"}, status=403)
    try:
        size = int(request.POST.get("size", ""))
    except ValueError:
        size = -1
    name = request.POST.get("name", "")
    if size < 0 or not name:
        return _json({"code": "bad_request"}, status=400)
    limits = api.limits_for(request, request.POST.get("context", ""))
    try:
        upload = chunks.do_create_upload(
            tenant=request.tenant,
            owner=request.user,
            name=name,
            size=size,
            content_type=request.POST.get("type", ""),
            limits=limits,
        )
    except api.UploadRefused as error:
        return _refused(error)
    # A path, not an absolute address: nothing here is built from the Host header.
    url = f"{request.path.rstrip('/')}/{upload.pk}/"
    data = {"id": str(upload.pk), "url": url, "offset": upload.size, "status": upload.status}
    return _json(data, status=201, Location=url, **{"Upload-Offset": str(upload.size)})


@never_cache
@require_http_methods(["HEAD", "GET", "PATCH", "PUT", "DELETE"])
def upload_detail(request, upload_id):
    if not _signed_in(request):
        return _json({"code": "signed_out"}, status=403)
    upload = _owned_upload(request, upload_id)
    if upload.status == Upload.Status.DELETED and request.method != "DELETE":
        # Cancelled or swept: gone for good (tus answers 410), so a browser resuming it starts afresh.
        return _json({"code": "gone"}, status=410)
    if request.method in {"PATCH", "PUT"}:
        return _write_chunk(request, upload)
    if request.method == "DELETE":
        chunks.do_cancel_upload(upload=upload)
        return HttpResponse(status=204, headers=TUS_HEADERS)
    headers = {"Upload-Offset": str(upload.size), "Upload-Length": str(upload.declared_size)}
    if request.method == "HEAD":
        return HttpResponse(status=200, headers={**TUS_HEADERS, **headers})
    return _json(_status(request, upload), **headers)


def _write_chunk(request, upload: Upload) -> HttpResponse:
    try:
        offset = int(request.headers.get("Upload-Offset", ""))
        length = int(request.headers.get("Content-Length", ""))
    except ValueError:
        return _json({"code": "bad_request"}, status=400)
    if request.content_type != CHUNK_TYPE:
        return _json({"code": "bad_type"}, status=415)
    if offset != upload.size or upload.status != Upload.Status.RECEIVING:
        return _conflict(upload.size)
    if length <= 0 or length > chunks.MAX_CHUNK or offset + length > upload.declared_size:
        return _json({"code": "bad_length", "offset": upload.size}, status=413)
    final = offset + length == upload.declared_size
    if upload.multipart_id and not final and length < storage.MIN_PART_SIZE:
        return _json({"code": "chunk_too_small", "min": storage.MIN_PART_SIZE}, status=400)
    chunk = chunks.receive_chunk(request, length=length)
    if chunk is None:
        # The connection dropped: nothing of this chunk is kept; HEAD gives the offset to resume from.
        return _json({"code": "incomplete", "offset": upload.size}, status=400)
    try:
        with chunk:
            result = chunks.do_apply_chunk(upload=upload, offset=offset, chunk=chunk, length=length)
    except chunks.OffsetConflict as conflict:
        return _conflict(conflict.offset)
    return HttpResponse(status=204, headers={**TUS_HEADERS, "Upload-Offset": str(result.offset)})


def _conflict(offset: int) -> JsonResponse:
    return _json({"code": "offset", "offset": offset}, status=409, **{"Upload-Offset": str(offset)})
