"""Template helpers of the form skeleton (templates/forms/)."""

from django import template

register = template.Library()


@register.filter
def hidden_entries(form) -> list:
    """The labels of the fields the page will not send back after an error (passwords, PINs): the
    error summary names them, so that it never claims that everything typed was kept."""
    return [
        field.label
        for field in form.visible_fields()
        if getattr(field.field.widget, "render_value", True) is False
    ]
