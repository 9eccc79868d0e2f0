"""One way to hold a French and an English value: `<name>_fr` and `<name>_en` columns, read through
`TranslatedField("<name>")`, which gives the active language's value and falls back to French
(the portal's first language) when the English one is empty."""

from django.utils.translation import get_language


def is_english() -> bool:
    return (get_language() or "fr").startswith("en")


def translated(obj, name: str) -> str:
    french = getattr(obj, f"{name}_fr")
    return (getattr(obj, f"{name}_en") or french) if is_english() else french


class TranslatedField:
    """A read-only attribute beside `<name>_fr` and `<name>_en`: `name = TranslatedField()`."""

    def __init__(self, name: str = ""):
        self.name = name

    def __set_name__(self, owner, attribute):
        self.name = self.name or attribute

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        return translated(obj, self.name)
