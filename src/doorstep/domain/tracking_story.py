"""The tracking page's words: where a parcel is, in plain British English. Pure.

An order may hold several parcels; the page tells the story of the one furthest behind
(a recipient waits for the last parcel, not the first), and a failed attempt, a return or
a cancellation outranks progress, because that is what the recipient must hear.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final

from doorstep.domain.delivery_policy import (
    DEFAULT_POLICY,
    AfterLastAttempt,
    DeliveryPolicy,
    Reattempt,
)
from doorstep.domain.proof import FAILURE_LABELS, FailureReason


class Stage(StrEnum):
    CREATED = "created"
    AT_HUB = "at_hub"
    OUT_FOR_DELIVERY = "out_for_delivery"
    NEXT_STOP = "next_stop"
    DELIVERED = "delivered"
    ATTEMPT_FAILED = "attempt_failed"
    RETURNING = "returning"
    RETURNED = "returned"
    CANCELLED = "cancelled"

    @property
    def final(self) -> bool:
        return self in (Stage.DELIVERED, Stage.RETURNED, Stage.CANCELLED)


_PROGRESS: Final = {
    "created": Stage.CREATED,
    "at_hub": Stage.AT_HUB,
    "sorted": Stage.AT_HUB,
    "loaded": Stage.AT_HUB,
    "out_for_delivery": Stage.OUT_FOR_DELIVERY,
    "delivered": Stage.DELIVERED,
}
_URGENT: Final = (
    ("cancelled", Stage.CANCELLED),
    ("returned_to_sender", Stage.RETURNED),
    ("returning", Stage.RETURNING),
    ("attempt_failed", Stage.ATTEMPT_FAILED),
)
_ORDER: Final = list(_PROGRESS.values())

HEADLINES: Final = {
    Stage.CREATED: "Your order is confirmed",
    Stage.AT_HUB: "Your parcel is at our London hub",
    Stage.OUT_FOR_DELIVERY: "Your parcel is out for delivery",
    Stage.NEXT_STOP: "You're the next stop",
    Stage.DELIVERED: "Delivered",
    Stage.ATTEMPT_FAILED: "We couldn't deliver your parcel",
    Stage.RETURNING: "Your parcel is on its way back to the sender",
    Stage.RETURNED: "Your parcel was returned to the sender",
    Stage.CANCELLED: "This delivery was cancelled",
}

VEHICLES: Final = {"van": "van", "e_cargo_bike": "electric cargo bike", "on_foot": "on foot"}

METHODS: Final = {
    "recipient": "Handed to you",
    "neighbour": "Left with a neighbour",
    "safe_place": "Left in your safe place",
    "letterbox": "Posted through your letterbox",
    "reception": "Left at reception",
    "locker": "Left in a parcel locker",
}
PHOTO_METHODS: Final = frozenset({"safe_place", "letterbox", "reception", "locker"})


def stage_of(states: Sequence[str], *, next_stop: bool) -> Stage:
    """The order's stage from its parcels' states (see the module's note)."""
    for state, stage in _URGENT:
        if state in states:
            return stage
    known = [_PROGRESS[s] for s in states if s in _PROGRESS] or [Stage.CREATED]
    stage = min(known, key=_ORDER.index)
    if stage is Stage.OUT_FOR_DELIVERY and next_stop:
        return Stage.NEXT_STOP
    return stage


def first_name(name: str) -> str:
    """The courier's first name only: the page never shows a full name."""
    parts = name.split()
    return parts[0] if parts else "Your courier"


def failure_reason(reason: str | None) -> str:
    try:
        return FAILURE_LABELS[FailureReason(reason or "")].lower()
    except ValueError:
        return "we could not complete the delivery"


def after_failure(attempts: int, returning: bool, policy: DeliveryPolicy = DEFAULT_POLICY) -> str:
    """What happens next after a failed attempt, in the words of the brand's delivery
    policy (domain/delivery_policy.py: the same rule that moves the parcel at the hub)."""
    if returning:
        return "The parcel is going back to the sender, who will be in touch."
    if attempts >= policy.attempts_allowed:
        if policy.after_last_attempt is AfterLastAttempt.HOLD_AT_HUB:
            days = policy.hold_at_hub_days
            return (
                "That was the last attempt: the parcel waits at our hub for you to collect "
                f"for {days} working day{'s' if days != 1 else ''}, then goes back to the sender."
            )
        return (
            "That was the last attempt: the parcel goes back to the sender, who will be in touch."
        )
    when = "on the next working day"
    if policy.reattempt is Reattempt.CUSTOMER_DAY:
        when = "on the day you choose below, or else the next working day"
    return (
        f"The parcel goes back to our hub and we'll try again {when}. "
        "You don't need to do anything, but you can tell us a safe place or a neighbour below."
    )


@dataclass(frozen=True, slots=True)
class Step:
    """One line of the timeline."""

    label: str
    at: datetime | None
    done: bool
    current: bool = False
    note: str | None = None
