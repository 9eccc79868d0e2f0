"""Each tenant's own word for its identifier, in the sentences of the pages ("I don't know my access
code" on a tenant that signs in with an access code)."""

from django import template

from accounts.forms import identifier_noun

register = template.Library()

register.filter("identifier_noun", identifier_noun)
