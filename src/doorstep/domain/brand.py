"""What a brand may set of how its recipients' tracking page looks."""

from __future__ import annotations

import re
from typing import Final

from doorstep.domain.errors import InvalidValue

_COLOUR: Final = re.compile(r"#[0-9a-f]{6}")
DEFAULT_COLOUR: Final = "#1d4ed8"


def check_colour(colour: str) -> str:
    """A colour as ``#rrggbb`` (lower case); ``#RGB`` and upper case are accepted."""
    value = colour.strip().lower()
    if re.fullmatch(r"#[0-9a-f]{3}", value):
        value = "#" + "".join(c * 2 for c in value[1:])
    if not _COLOUR.fullmatch(value):
        raise InvalidValue("colour", "must be a hex colour like #1d4ed8")
    return value


def text_colour_on(colour: str) -> str:
    """Black or white, whichever reads better on ``colour`` (WCAG relative luminance)."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    # contrast with white: 1.05 / (L + 0.05); with black: (L + 0.05) / 0.05
    return "#000000" if (luminance + 0.05) / 0.05 > 1.05 / (luminance + 0.05) else "#ffffff"
