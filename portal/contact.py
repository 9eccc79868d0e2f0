"""How to reach a tenant's help desk, in words that fit its contact: a phone number is called, an
address is written to. Read from the contact text itself (Tenant.helpdesk), so no setting can
disagree with it."""

import re

from django.utils.translation import gettext as _

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_PHONE = re.compile(r"(?<!\w)\+?\d[\d\s().-]{5,}\d")

PHONE, EMAIL, OTHER = "phone", "email", "other"


def contact_kind(text: str) -> str:
    """ "phone" or "email" when the contact has only that; "other" for both, neither, or a web page."""
    text = text or ""
    has_email = bool(_EMAIL.search(text))
    has_phone = bool(_PHONE.search(_EMAIL.sub("", text)))
    if has_phone and not has_email:
        return PHONE
    if has_email and not has_phone:
        return EMAIL
    return OTHER


def reach_helpdesk(tenant) -> str:
    """One sentence: what to do to reach the help desk, and how (empty without a contact)."""
    contact = " ".join((tenant.helpdesk or "").split()) if tenant else ""
    if not contact:
        return ""
    kind = contact_kind(contact)
    if kind == PHONE:
        return _("Call the help desk: %(contact)s") % {"contact": contact}
    if kind == EMAIL:
        return _("Write to the help desk: %(contact)s") % {"contact": contact}
    return _("Contact the help desk: %(contact)s") % {"contact": contact}
