"""The stored form of what a person types to sign in, by the tenant's sign-in setting."""

import re


def normalise_identifier(tenant, raw: str) -> str:
    """E-mails lower-cased, codes upper-cased, the 12-digit identifier without the spaces people type
    in it."""
    value = (raw or "").strip()
    if "@" in value:
        return value.lower()
    settings = tenant.account_settings
    if settings.sign_in_with == settings.SignIn.IDENTIFIER_OR_EMAIL:
        return re.sub(r"[\s-]", "", value)
    return value.upper()
