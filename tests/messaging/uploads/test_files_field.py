"""The message form's files field: a plain multiple file input without the script, the limits shown
before anything is sent, and what the script needs when the page enables chunked uploads."""

from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django.utils.datastructures import MultiValueDict

from messaging.uploads import api


class MessageForm(forms.Form):
    files = api.FilesField(label="Fichiers")


def test_without_the_script_it_is_a_plain_multiple_file_input_that_takes_every_file():
    form = MessageForm()
    html = str(form["files"])
    assert 'type="file"' in html and "multiple" in html and 'name="files"' in html
    assert "data-upload-url" not in html and "resumable.js" not in html
    posted = MessageForm(
        data={},
        files=MultiValueDict({"files": [SimpleUploadedFile("a.txt", b"a"), SimpleUploadedFile("b", b"b")]}),
    )
    assert posted.is_valid()
    assert [f.name for f in posted.cleaned_data["files"]] == ["a.txt", "b"]


def test_no_file_is_an_empty_list():
    form = MessageForm(data={}, files=MultiValueDict())
    assert form.is_valid() and form.cleaned_data["files"] == []


def test_the_limits_are_shown_before_the_upload_starts():
    form = MessageForm()
    form.fields["files"].set_limits(api.Limits(blocked_extensions=("exe", ".BAT")))
    with translation.override("fr-ca"):
        html = form["files"].as_field_group()
    assert "Jusqu’à 1 Go au total par message. Types refusés : .bat, .exe." in html
    assert 'aria-describedby="id_files_helptext"' in html


def test_the_script_gets_its_address_context_and_words():
    form = MessageForm()
    form.fields["files"].enable_resumable(upload_url="/poste/messaging/files/", context="42")
    with translation.override("fr-ca"):
        html = str(form["files"])
    assert 'data-upload-url="/poste/messaging/files/"' in html
    assert 'data-upload-context="42"' in html and 'data-upload-field="upload_ids"' in html
    assert "{name} : connexion perdue, nouvel essai…" in html
    assert 'role="status"' in html and 'id="id_files_uploads"' in html
    assert 'src="/static/uploads/resumable.js"' in html
    assert api.UPLOAD_IDS_FIELD == "upload_ids"
