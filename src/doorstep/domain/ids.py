"""Public identifiers, barcodes and tracking tokens.

Public ids carry a type prefix (``par_``, ``ord_``) so that a pasted id says what it
is, and they are random so that they reveal neither volume nor order of creation.
They are separate from database keys.
"""

import secrets
from typing import Final

# Crockford base32: no I, L, O, U, so ids survive being read aloud or retyped.
_ALPHABET: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

PREFIXES: Final = frozenset(
    {
        "brd",
        "hub",
        "ord",
        "par",
        "rcp",
        "adr",
        "cou",
        "veh",
        "usr",
        "key",
        "scn",
        "pln",
        "rte",
        "exc",
        "stp",
        "pod",
        "act",
        "msg",  # one e-mail or text, and one webhook message (its webhook-id)
        "whe",  # a brand's webhook endpoint
    }
)


def _random_chars(count: int) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(count))


def new_id(prefix: str) -> str:
    """A new public id such as ``par_7K2M9Q4ZC1XW3T8B`` (80 random bits)."""
    if prefix not in PREFIXES:
        raise ValueError(f"unknown id prefix {prefix!r}")
    return f"{prefix}_{_random_chars(16).lower()}"


def has_prefix(public_id: str, prefix: str) -> bool:
    """True when ``public_id`` is shaped like an id of the given type."""
    head, _, tail = public_id.partition("_")
    return head == prefix and len(tail) == 16 and all(c in _ALPHABET.lower() for c in tail)


def new_barcode() -> str:
    """A parcel barcode: ``DS`` and 12 base32 characters (60 bits), Code 128 friendly."""
    return "DS" + _random_chars(12)


def new_tracking_token() -> str:
    """An unguessable tracking token: 144 random bits, not derived from any id."""
    return secrets.token_urlsafe(18)
