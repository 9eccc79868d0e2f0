"""The tenant urlconf as served, where the conversations mount the upload endpoints at
/<slug>/messages/files/ (messaging/urls.py, in the messaging module's namespace); where they do not yet,
mounted the same way here. `_test/compose/` stands in for a conversation's post form, for the browser
test of resumable.js."""

from django import forms
from django.http import HttpResponse
from django.template import engines
from django.urls import include, path, reverse

from messaging.uploads import api
from portal.modules import all_modules
from portal.urls_tenant import urlpatterns as served

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Compose</title></head>
<body><main><h1>Compose</h1><form method="post" enctype="multipart/form-data">{% csrf_token %}
{{ form.files.as_field_group }}<button type="submit">Send</button></form></main></body></html>"""


class ComposeForm(forms.Form):
    files = api.FilesField(label="Files")


def compose(request):
    if request.method == "POST":
        ids = request.POST.getlist(api.UPLOAD_IDS_FIELD)
        names = [f.name for f in request.FILES.getlist("files")]
        return HttpResponse(f"ids={','.join(ids)} files={','.join(names)}", content_type="text/plain")
    form = ComposeForm()
    form.fields["files"].enable_resumable(upload_url=reverse("messaging:uploads:create"), context="c1")
    return HttpResponse(engines["django"].from_string(PAGE).render({"form": form}, request))


def conversations_mount_the_uploads() -> bool:
    return any(module.key == "messaging" and module.urls for module in all_modules())


urlpatterns = [path("_test/compose/", compose), *served]
if not conversations_mount_the_uploads():
    uploads = [path("files/", include("messaging.uploads.urls"))]
    urlpatterns.insert(0, path("messages/", include((uploads, "messaging"))))
