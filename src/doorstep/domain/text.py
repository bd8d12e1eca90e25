"""Rules for text a person typed, shared by every door (API schemas, CSV readers).

Control characters (Unicode category Cc: NUL, escape, line breaks, C1 codes) make no sense
in a name or an address; NUL cannot even be stored by PostgreSQL. A few free-text fields
(delivery notes) may hold line breaks, never any other control character.

Text that Doorstep writes to a CSV file is opened by people in spreadsheets, where a cell
starting with ``=`` is run as a formula: :func:`spreadsheet_cell` defuses such cells.
"""

from __future__ import annotations

import re
from typing import Final

_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_BUT_LINE_BREAKS: Final = re.compile(r"[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_BREAK: Final = re.compile(r"\r\n?")
# What a spreadsheet may read as the start of a formula (OWASP's list for CSV injection).
_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")


def check_text(value: str, *, max_length: int, line_breaks: bool = False) -> str:
    """``value`` stripped of surrounding spaces, or :class:`ValueError` saying what is wrong.

    The reason completes the sentence "<field> ...", so each door prefixes its own name
    for the field. With ``line_breaks`` the text may span lines (``\\r\\n`` becomes ``\\n``).
    """
    text = value.strip()
    if not text:
        raise ValueError("is required")
    if len(text) > max_length:
        raise ValueError(f"is {len(text)} characters long; at most {max_length}")
    check_no_control(text, line_breaks=line_breaks)
    return _LINE_BREAK.sub("\n", text) if line_breaks else text


def check_no_control(value: str, *, line_breaks: bool = False) -> str:
    """``value`` unchanged, or :class:`ValueError` when it holds a control character."""
    if line_breaks:
        if _CONTROL_BUT_LINE_BREAKS.search(value):
            raise ValueError("contains a control character (only line breaks are allowed)")
    elif _CONTROL.search(value):
        raise ValueError("contains a line break or control character")
    return value


def has_control(value: str) -> bool:
    return _CONTROL.search(value) is not None


def spreadsheet_cell(value: object) -> object:
    """A cell value safe to open in a spreadsheet: text that a spreadsheet would run as a
    formula (starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return) gets a
    leading apostrophe, which spreadsheets show as text. Numbers are left as they are,
    so a longitude of -0.12 stays a number.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
