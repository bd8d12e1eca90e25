"""UK postcodes: one normal form, so that ``nw1 9ll`` and ``NW19LL`` are the same place.

The pattern is the format rule of BS 7666 (the one GOV.UK publishes): it accepts every
postcode shape in use and the Girobank special ``GIR 0AA``. It checks the shape only,
not that the postcode exists; geocoding is where unknown postcodes are caught.
"""

from __future__ import annotations

import re
from typing import Final

_SHAPE: Final = re.compile(
    r"GIR0AA"
    r"|[A-PR-UWYZ]"
    r"(?:[0-9]{1,2}|[A-HK-Y][0-9][0-9ABEHMNPRV-Y]?|[0-9][A-HJKPS-UW])"
    r"[0-9][ABD-HJLNP-UW-Z]{2}"
)
_SPACES: Final = re.compile(r"\s+")


class NotAPostcode(ValueError):
    """The text is not shaped like a UK postcode; ``reason`` says how, for a person."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def normalise_postcode(text: str) -> str:
    """Return ``text`` as an upper-case postcode with one space before the inward code.

    Raises :class:`NotAPostcode` when it cannot be a UK postcode.
    """
    compact = _SPACES.sub("", text).upper()
    if not compact:
        raise NotAPostcode("is empty")
    if not 5 <= len(compact) <= 7:
        raise NotAPostcode(f"{text.strip()!r} is not a UK postcode (5 to 7 letters and digits)")
    if _SHAPE.fullmatch(compact) is None:
        raise NotAPostcode(f"{text.strip()!r} is not a UK postcode (for example NW1 9LL)")
    return f"{compact[:-3]} {compact[-3:]}"


def is_postcode(text: str) -> bool:
    try:
        normalise_postcode(text)
    except NotAPostcode:
        return False
    return True
