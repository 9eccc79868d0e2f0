"""The help desk in a page's words: `{{ tenant|reach_helpdesk }}` gives "Call the help desk: …" for a
number, "Write to the help desk: …" for an address (portal.contact)."""

from django import template

from portal.contact import contact_kind as _contact_kind
from portal.contact import reach_helpdesk as _reach_helpdesk

register = template.Library()


@register.filter
def reach_helpdesk(tenant) -> str:
    return _reach_helpdesk(tenant)


@register.filter
def helpdesk_kind(tenant) -> str:
    return _contact_kind(tenant.helpdesk if tenant else "")
