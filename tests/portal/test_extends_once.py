"""`{% extends %}` (portal/templatetags/extends.py) finds the root template's blocks once per compiled
template and renders exactly what Django's tag renders: three levels, block.super, blocks the child
leaves alone, a block only the middle template fills."""

from unittest import mock

from django.template import Context, Engine
from django.template.base import NodeList

TEMPLATES = {
    "root.html": "<title>{% block title %}Root{% endblock %}</title>{% if x %}<p>{% block body %}root body"
    "{% endblock %}</p>{% endif %}{% for i in items %}{% block item %}[{{ i }}]{% endblock %}{% endfor %}"
    "<footer>{% block footer %}root footer{% endblock %}</footer>",
    "middle.html": '{% extends "root.html" %}{% block body %}middle {{ block.super }}{% endblock %}'
    "{% block footer %}middle footer{% endblock %}",
    "child.html": '{% extends "middle.html" %}{% block title %}Child · {{ block.super }}{% endblock %}'
    "{% block body %}child, {{ block.super }}{% endblock %}",
}


def engine(builtins):
    loaders = [
        ("django.template.loaders.cached.Loader", [("django.template.loaders.locmem.Loader", TEMPLATES)])
    ]
    return Engine(loaders=loaders, builtins=builtins)


def test_pages_render_as_with_djangos_tag():
    ours, django = engine(["portal.templatetags.extends"]), engine([])
    for name in TEMPLATES:
        for x in (True, False):
            context = {"x": x, "items": [1, 2]}
            expected = django.get_template(name).render(Context(context))
            assert ours.get_template(name).render(Context(context)) == expected
            assert ours.get_template(name).render(Context(context)) == expected  # the second time too
    assert "Child · Root" in expected and "child, middle root body" in django.get_template(
        "child.html"
    ).render(Context({"x": True, "items": []}))


def test_the_root_template_is_walked_once():
    ours = engine(["portal.templatetags.extends"])
    page = ours.get_template("child.html")
    page.render(Context({"x": True, "items": [1]}))
    with mock.patch.object(NodeList, "get_nodes_by_type", side_effect=AssertionError("walked again")):
        assert "child, middle root body" in page.render(Context({"x": True, "items": [1]}))


def test_the_portal_templates_use_it():
    from django.template import engines

    from portal.templatetags.extends import ExtendsNode

    page = engines["django"].get_template("portal/tenant_home.html").template
    assert isinstance(page.nodelist[0], ExtendsNode)
