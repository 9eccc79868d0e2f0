"""How answers are compared: "  Éléphant " and "elephant" are the same answer."""

from accounts.password_validation import fold


def normalise_answer(raw: str) -> str:
    """Case, accents, spaces and punctuation folded away; letters and digits of any script kept."""
    return fold(raw)
