"""Text as the help desk types it on the phone: without accents and case, so "loic" finds "Loïc".
A plain function on purpose: the data migration that fills the column uses it as the model does."""

import unicodedata


def folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def search_name_of(first_name: str, last_name: str) -> str:
    return folded(f"{first_name} {last_name}".strip())
