"""How long an SMS is: GSM-7 or UCS-2, and how many segments (billed messages) it takes.

A text made only of the GSM 03.38 alphabet is sent in 7-bit septets: 160 fit one message,
153 each part of a longer one (the rest is the concatenation header). The extension
characters (``€ [ ] { } \\ ^ ~ |`` and form feed) take two septets each (an escape and
the character), and a part never ends between the two. Anything else (an emoji, ``ł``,
curly quotes) turns the whole text into UCS-2: 70 UTF-16 code units in one message, 67 per
part, a surrogate pair (most emoji) never split. Pure: the SMS senders and the preview
use it alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

SINGLE = {"GSM-7": 160, "UCS-2": 70}
PART = {"GSM-7": 153, "UCS-2": 67}


class SmsEncoding(StrEnum):
    GSM7 = "GSM-7"
    UCS2 = "UCS-2"


@dataclass(frozen=True, slots=True)
class SmsLength:
    encoding: SmsEncoding
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2
    segments: int


def encoding_of(text: str) -> SmsEncoding:
    if all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text):
        return SmsEncoding.GSM7
    return SmsEncoding.UCS2


def _unit_sizes(text: str, encoding: SmsEncoding) -> list[int]:
    """The size of each character in the encoding's units, in order."""
    if encoding is SmsEncoding.GSM7:
        return [2 if ch in GSM7_EXTENSION else 1 for ch in text]
    return [2 if ord(ch) > 0xFFFF else 1 for ch in text]


def measure(text: str) -> SmsLength:
    """The encoding, total length in units and number of segments of ``text``.

    An empty text is one (empty) segment: a provider still bills a message for it.
    """
    encoding = encoding_of(text)
    sizes = _unit_sizes(text, encoding)
    units = sum(sizes)
    if units <= SINGLE[encoding]:
        return SmsLength(encoding, units, 1)
    per_part = PART[encoding]
    segments, used = 1, 0
    for size in sizes:  # greedy, never splitting an escape pair or a surrogate pair
        if used + size > per_part:
            segments, used = segments + 1, 0
        used += size
    return SmsLength(encoding, units, segments)
