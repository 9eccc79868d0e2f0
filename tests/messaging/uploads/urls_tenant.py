"""The tenant urlconf with the upload endpoints mounted as the conversations will mount them, under
the messaging module's namespace, so these tests do not wait for the conversation pages. `compose/` is
a stand-in for the conversations' post form, for the browser test of resumable.js."""

from django import forms
from django.http import HttpResponse
from django.template import engines
from django.urls import include, path, reverse

from messaging.uploads import api
from portal.urls_tenant import tenant_urlpatterns

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


urlpatterns = [
    path(
        "messaging/",
        include(
            (
                [path("files/", include("messaging.uploads.urls")), path("compose/", compose)],
                "messaging",
            )
        ),
    ),
    *tenant_urlpatterns(),
]
