"""How every form of the portal is drawn: one skeleton, one field group, for every module."""

from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    """`{{ form }}` and `{{ field.as_field_group }}` render through the project's own templates.

    TemplatesSetting looks templates up through settings.TEMPLATES, so templates/forms/ is found,
    and Django's widget templates with "django.forms" in INSTALLED_APPS. A page includes
    templates/includes/form.html, which adds the <form> element, the CSRF token and the button."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"
