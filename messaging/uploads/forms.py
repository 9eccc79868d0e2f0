"""The files field of a message form: a plain <input type=file multiple> that works without
JavaScript, and that static/uploads/resumable.js turns into chunked, resumable uploads when the page
gives it an upload address."""

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext as _

from . import api


def _limits_text(limits: api.Limits) -> str:
    return _("Up to %(limit)s in all per message. Not accepted: %(types)s.") % {
        "limit": api.format_size(limits.max_total_bytes),
        "types": limits.blocked_text(),
    }


# Read in the language of the page that shows it, not of the code that built the form.
limits_text = lazy(_limits_text, str)

# The hidden fields the script adds to the form, one per finished upload.
UPLOAD_IDS_FIELD = "upload_ids"


class FilesInput(forms.ClearableFileInput):
    allow_multiple_selected = True
    template_name = "uploads/files_input.html"

    def __init__(self, attrs=None):
        super().__init__({"multiple": True, **(attrs or {})})
        self.upload_url = ""
        self.context = ""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if self.upload_url:
            widget_attrs = context["widget"]["attrs"]
            widget_attrs.update(
                {
                    "data-upload-url": self.upload_url,
                    "data-upload-context": self.context,
                    "data-upload-field": UPLOAD_IDS_FIELD,
                }
            )
        context["widget"]["resumable"] = bool(self.upload_url)
        return context


class FilesField(forms.FileField):
    """Any number of files; ``clean()`` gives a list of UploadedFile (empty when none). Limits are not
    checked here: :func:`api.receive_files` checks them on the bytes themselves."""

    widget = FilesInput

    def __init__(self, *, limits: api.Limits | None = None, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.set_limits(limits or api.Limits())

    def set_limits(self, limits: api.Limits) -> None:
        """Show the limits before the upload starts, in the field's help."""
        self.help_text = limits_text(limits)

    def enable_resumable(self, *, upload_url: str, context: str = "") -> None:
        """Let the script send large files in chunks to ``upload_url`` (``messaging:uploads:create``),
        telling the limits provider ``context`` (the conversation's id, "" for a new one)."""
        self.widget.upload_url = upload_url
        self.widget.context = str(context)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(FilesField, self).clean(f, initial) for f in files if f]
