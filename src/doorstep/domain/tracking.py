"""How long a recipient's tracking link keeps working. Time is passed in.

A tracking token opens the page (and the recipient's actions) while the order is alive and
for a while after it ends, so that "delivered at 10:42, photo" can still be looked at; after
that the link answers "expired" and shows nothing. The rule lives here once: the page and the
recipient's actions both ask :func:`token_expired`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Final

TOKEN_LIFETIME_AFTER_FINAL: Final = timedelta(days=30)
FINAL_STATES: Final = frozenset({"delivered", "cancelled", "returned_to_sender"})
"""A parcel in one of these moves no more (its state's word, as ``ParcelState`` values)."""


def final_at(
    states: Iterable[str], last_moves: Iterable[datetime], created_at: datetime
) -> datetime | None:
    """When an order reached its final state: the last of its parcels' moves, once every
    parcel is in a final state; None while any may still move (or it has no parcel)."""
    states = list(states)
    if not states or any(state not in FINAL_STATES for state in states):
        return None
    return max(last_moves, default=created_at)


def token_expired(final_at: datetime | None, now: datetime) -> bool:
    """Whether a token has expired: 30 days after the order's final state (delivered,
    returned, cancelled). An order not yet in a final state (``final_at`` None) never has."""
    if final_at is None:
        return False
    return now >= final_at + TOKEN_LIFETIME_AFTER_FINAL


TOKEN_MAX_LENGTH: Final = 64
_TOKEN_CHARACTERS: Final = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
)


def token_well_formed(token: str) -> bool:
    """Whether ``token`` could be a tracking token at all (URL-safe base64, 16 to 64
    characters). Anything else is answered "not found" without asking the database."""
    return 16 <= len(token) <= TOKEN_MAX_LENGTH and all(c in _TOKEN_CHARACTERS for c in token)
