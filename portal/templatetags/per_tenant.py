"""`{% per_tenant "name" %}…{% endper_tenant %}`: a part of a page that is the same for every person of a
tenant (its name, menu entries, footer), rendered once per process per tenant and language and then
reused (benchmarks/README.md, "The signed-in page against plain Django").

The part is kept under the tenant directory's generation (portal.tenancy.TenantDirectory), so a
change of the tenant is shown as soon as this process reads the tenant again: at once in the process
that saved it, within TENANT_CACHE_SECONDS in the others, as for the rest of the page. Nothing that
differs from one person or request to the next may be inside: a part that names the user, the request,
the messages, the permissions or the CSRF token is refused when the template is compiled."""

import re

from django import template
from django.template.base import Node, TextNode
from django.template.loader_tags import BlockNode
from django.urls import get_script_prefix, get_urlconf
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()

PER_REQUEST = re.compile(r"\b(user|request|messages|perms|csrf_token|csrf_input)\b")
MOST_KEPT = 2048  # parts × tenants × languages; a process forgets them all past this

_kept: dict[tuple, str] = {}


class PerTenantNode(Node):
    # Not walked by get_nodes_by_type(): Django's `{% extends %}` walks the whole parent template on every
    # render to find its blocks (portal/templatetags/extends.py now does it once per compiled template),
    # and a part holds none.
    child_nodelists = ()

    def __init__(self, name: str, nodelist):
        self.name = name
        self.nodelist = nodelist

    def render(self, context):
        tenant = context.get("tenant")
        generation = getattr(tenant, "directory_generation", None)
        if generation is None:  # no tenant, or one read outside the directory: nothing to key it on
            return self.nodelist.render(context)
        where = (get_language(), get_script_prefix(), get_urlconf())
        key = (self.origin.name, self.name, tenant.pk, generation, *where)
        html = _kept.get(key)
        if html is None:
            html = self.nodelist.render(context)
            if len(_kept) >= MOST_KEPT:
                _kept.clear()
            _kept[key] = html
        return mark_safe(html)  # noqa: S308  (rendered by the template engine, escaped there)


@register.tag("per_tenant")
def per_tenant(parser, token):
    bits = token.split_contents()
    if len(bits) != 2 or bits[1][0] not in "\"'" or bits[1][0] != bits[1][-1]:
        raise template.TemplateSyntaxError('Use {% per_tenant "name" %}…{% endper_tenant %}.')
    name = bits[1][1:-1]
    nodelist = parser.parse(("endper_tenant",))
    parser.delete_first_token()
    for node in nodelist.get_nodes_by_type(Node):
        if isinstance(node, BlockNode):
            raise template.TemplateSyntaxError(f'{{% per_tenant "{name}" %}} cannot hold a {{% block %}}.')
        if isinstance(node, TextNode) or node.token is None:
            continue
        found = PER_REQUEST.search(node.token.contents)
        if found:
            raise template.TemplateSyntaxError(
                f'{{% per_tenant "{name}" %}} is rendered once for every person of a tenant; '
                f"it cannot use {found.group(1)!r} ({node.token.contents!r})."
            )
    return PerTenantNode(name, nodelist)


def forget_all() -> None:
    """For tests: start from nothing."""
    _kept.clear()
