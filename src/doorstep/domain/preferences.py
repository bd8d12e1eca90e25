"""What a recipient may change from their tracking page, and the rules each change meets.

A recipient has no login: their tracking link is their key, and it opens only their own
order. They may say where a parcel may be left (a place from a fixed list, with a note),
name a neighbour (a house number or name: nobody's phone number), give or change the
access note and door code (kept encrypted; the courier sees the code only through the
app's reveal at the door), ask for more time to reach the door (the planner gives the
stop more door time and the courier waits longer before giving up), and choose another of
the next working days. Nothing changes once every parcel is delivered, cancelled or on
its way back to the sender.

Each change records ``order.preferences_changed`` naming the fields changed, never their
values (a door code is a secret), or ``order.rescheduled``. The office may also move the
promised window (``order.window_changed``). Time is passed in.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Final
from zoneinfo import ZoneInfo

from doorstep.domain import events, order_rules, tracking, working_days
from doorstep.domain.errors import DomainError, InvalidValue
from doorstep.domain.model import Order, TimeWindow
from doorstep.domain.parcel import Parcel, ParcelState
from doorstep.domain.text import check_text

LONDON: Final = ZoneInfo("Europe/London")
MAX_SAFE_PLACE_NOTE: Final = 200
MAX_NEIGHBOUR: Final = 60
RESCHEDULE_DAYS: Final = 5
"""How many working days ahead a recipient may choose from (today included while allowed)."""
SAME_DAY_CUTOFF: Final = time(12, 0)
"""After noon (London) a day's vans are out: today is no longer offered."""
NEEDS_LONGER_DOOR_S: Final = 120
"""Door time the planner adds at a stop whose recipient needs longer to reach the door."""
DOOR_WAIT_S: Final = 60
NEEDS_LONGER_WAIT_S: Final = 180
MAX_WINDOW: Final = timedelta(days=1)  # a window the office sets lasts at most a day
"""How long the courier waits at the door before giving up: normally, and when asked."""

# Parcels in these states are past changing: delivered, cancelled, or going back.
CLOSED: Final = frozenset(
    {
        ParcelState.DELIVERED,
        ParcelState.CANCELLED,
        ParcelState.RETURNING,
        ParcelState.RETURNED_TO_SENDER,
    }
)
# On a van: a new day needs the dispatcher (unload at the hub, or deliver anyway).
ON_A_VAN: Final = frozenset({ParcelState.LOADED, ParcelState.OUT_FOR_DELIVERY})
# Nothing happens to these any more: the tracking link expires 30 days after the last.
_PHONE_LIKE: Final = re.compile(r"\d[\d\s().+-]{5,}\d")


class SafePlace(StrEnum):
    FRONT_PORCH = "front_porch"
    BACK_GARDEN = "back_garden"
    RECEPTION = "reception"
    SHED = "shed"
    BIN_STORE = "bin_store"
    OTHER = "other"


SAFE_PLACE_LABELS: Final = {
    SafePlace.FRONT_PORCH: "Front porch",
    SafePlace.BACK_GARDEN: "Back garden",
    SafePlace.RECEPTION: "With reception or the concierge",
    SafePlace.SHED: "In the shed",
    SafePlace.BIN_STORE: "Behind the bin store",
    SafePlace.OTHER: "Somewhere else (say where in the note)",
}


class NothingToChange(DomainError):
    """The order is past changing: delivered, cancelled or on its way back."""

    code = "nothing_to_change"


# -- reading an order -----------------------------------------------------------------------


def open_parcels(order: Order) -> list[Parcel]:
    """The parcels still on their way to the recipient."""
    return [p for p in order.parcels if p.state not in CLOSED]


def can_act(order: Order) -> bool:
    """Whether the recipient may still change anything (some parcel is still coming)."""
    return bool(open_parcels(order))


def require_open(order: Order) -> None:
    if can_act(order):
        return
    states = {p.state for p in order.parcels}
    if ParcelState.DELIVERED in states:
        raise NothingToChange("This parcel has been delivered: nothing can be changed now.")
    if ParcelState.CANCELLED in states and len(states) == 1:
        raise NothingToChange("This order was cancelled: nothing can be changed.")
    raise NothingToChange("This parcel is going back to the sender: nothing can be changed.")


def final_at(order: Order) -> datetime | None:
    """When the order reached its final state (every parcel delivered, cancelled or returned
    to the sender): the last of their last moves. None while any parcel may still move."""
    return tracking.final_at(
        (p.state.value for p in order.parcels),
        (p.events[-1].at for p in order.parcels if p.events),
        order.created_at,
    )


def safe_place_text(order: Order) -> str | None:
    """What the courier reads: the place chosen, then its note; or a brand's free text."""
    note = order.safe_place
    if order.safe_place_choice is None:
        return note
    label = SAFE_PLACE_LABELS[SafePlace(order.safe_place_choice)]
    if order.safe_place_choice == SafePlace.OTHER:
        return note or label
    return f"{label}: {note}" if note else label


def door_wait_s(order: Order) -> int:
    return NEEDS_LONGER_WAIT_S if order.needs_more_time else DOOR_WAIT_S


def extra_door_time_s(order: Order) -> int:
    return NEEDS_LONGER_DOOR_S if order.needs_more_time else 0


# -- checking what was typed ---------------------------------------------------------------


def _text(field: str, value: str, max_length: int) -> str:
    try:
        return check_text(value, max_length=max_length)
    except ValueError as error:
        raise InvalidValue(field, str(error)) from None


def check_safe_place(choice: str, note: str) -> tuple[SafePlace, str | None]:
    """A place from the list, and a note (needed for "somewhere else")."""
    try:
        place = SafePlace(choice)
    except ValueError:
        raise InvalidValue("safe_place", "choose one of the places listed") from None
    if not note.strip():
        if place is SafePlace.OTHER:
            raise InvalidValue("safe_place_note", "say where the parcel may be left")
        return place, None
    return place, _text("safe_place_note", note, MAX_SAFE_PLACE_NOTE)


def check_neighbour(value: str) -> str:
    """A house number or name ("No. 14", "Rose Cottage"): never someone's phone number."""
    text = _text("neighbour", value, MAX_NEIGHBOUR)
    if _PHONE_LIKE.search(text):
        raise InvalidValue("neighbour", "give their house number or name, not a phone number")
    return text


def check_access_note(value: str) -> str:
    """The order's own rule for access notes (line breaks allowed, at most 500)."""
    try:
        return order_rules.access_notes(value)
    except order_rules.RuleBroken as error:
        raise InvalidValue("access_notes", error.reason) from None


def check_access_code(value: str) -> str:
    """The order's own rule for door codes: 1 to 20 letters, digits, # or *."""
    try:
        return order_rules.access_code(value)
    except order_rules.RuleBroken as error:
        raise InvalidValue("access_code", error.reason) from None


# -- the changes ----------------------------------------------------------------------------


def _changed(order: Order, fields: Sequence[str], *, actor: str, at: datetime) -> list[str]:
    if fields:
        order.new_events.append(
            events.order_preferences_changed(
                order_id=order.id,
                brand_id=order.brand_id,
                reference=order.reference,
                actor=actor,
                at=at,
                changed=fields,
            )
        )
    return list(fields)


def set_safe_place(order: Order, choice: str, note: str, *, actor: str, at: datetime) -> list[str]:
    """Returns the fields changed (none when it was already so)."""
    require_open(order)
    place, text = check_safe_place(choice, note)
    if (order.safe_place_choice, order.safe_place) == (place.value, text):
        return []
    order.safe_place_choice, order.safe_place = place.value, text
    return _changed(order, ["safe_place"], actor=actor, at=at)


def set_neighbour(order: Order, value: str, *, actor: str, at: datetime) -> list[str]:
    require_open(order)
    text = check_neighbour(value)
    if order.neighbour == text:
        return []
    order.neighbour = text
    return _changed(order, ["neighbour"], actor=actor, at=at)


def set_access(
    order: Order,
    *,
    note: str,
    code: str,
    remove_note: bool,
    remove_code: bool,
    actor: str,
    at: datetime,
) -> list[str]:
    """A field left empty is kept (the page never shows a code back); ticking "remove"
    clears it. Giving nothing at all is a mistake worth saying."""
    require_open(order)
    if not (note.strip() or code.strip() or remove_note or remove_code):
        raise InvalidValue("access", "write a note or a door code, or tick a box to remove one")
    address = order.address
    new_note = None if remove_note else (check_access_note(note) if note.strip() else None)
    new_code = None if remove_code else (check_access_code(code) if code.strip() else None)
    fields: list[str] = []
    if (remove_note or new_note is not None) and new_note != address.access_notes:
        address = replace(address, access_notes=new_note)
        fields.append("access_notes")
    if (remove_code or new_code is not None) and new_code != address.access_code:
        address = replace(address, access_code=new_code)
        fields.append("access_code")
    order.address = address
    return _changed(order, fields, actor=actor, at=at)


def set_needs_more_time(order: Order, wanted: bool, *, actor: str, at: datetime) -> list[str]:
    require_open(order)
    if order.needs_more_time is wanted:
        return []
    order.needs_more_time = wanted
    return _changed(order, ["needs_more_time"], actor=actor, at=at)


# -- another day ------------------------------------------------------------------------------


def london_day(moment: datetime) -> date:
    return moment.astimezone(LONDON).date()


def due_date(order: Order, route_date: date | None) -> date | None:
    """The day the order is due: the recipient's choice, else its route's, else its
    window's (a window starting and ending on the same London day)."""
    if order.delivery_date is not None:
        return order.delivery_date
    if route_date is not None:
        return route_date
    if order.window is not None:
        return london_day(order.window.start)
    return None


def available_days(
    now: datetime,
    *,
    due: date | None,
    route_started: bool,
    count: int = RESCHEDULE_DAYS,
) -> list[date]:
    """The next ``count`` working days from today (London), less the day already due.

    Today stays only before :data:`SAME_DAY_CUTOFF` and while the order's route has not
    started: once the van is out, today's deliveries are what is on it.
    """
    local = now.astimezone(LONDON)
    today = local.date()
    days = working_days.next_working_days(today, count)
    if route_started or local.time() >= SAME_DAY_CUTOFF:
        days = [d for d in days if d != today]
    return [d for d in days if d != due]


def moved_window(window: TimeWindow | None, day: date) -> TimeWindow:
    """The same London hours on ``day`` when the window lay within one day; else all of
    ``day`` (London), so the planner takes the order on that day and no other."""
    if window is not None:
        start, end = window.start.astimezone(LONDON), window.end.astimezone(LONDON)
        if start.date() == end.date():
            return TimeWindow(
                datetime.combine(day, start.time(), LONDON),
                datetime.combine(day, end.time(), LONDON),
            )
    return TimeWindow(
        datetime.combine(day, time(0, 0), LONDON),
        datetime.combine(day + timedelta(days=1), time(0, 0), LONDON),
    )


def reschedule(
    order: Order,
    day: date,
    *,
    available: Sequence[date],
    from_date: date | None,
    loaded: bool,
    actor: str,
    at: datetime,
) -> None:
    """Move the order to ``day``, one of ``available``; records ``order.rescheduled``."""
    require_open(order)
    if day == from_date:
        raise InvalidValue("date", f"{day:%A %-d %B} is already the delivery day")
    if day not in available:
        offered = ", ".join(f"{d:%a %-d %b}" for d in available) or "none"
        raise InvalidValue("date", f"choose one of the days offered ({offered})")
    order.delivery_date = day
    order.move_window(moved_window(order.window, day))
    order.new_events.append(
        events.order_rescheduled(
            order_id=order.id,
            brand_id=order.brand_id,
            reference=order.reference,
            actor=actor,
            at=at,
            from_date=from_date,
            to_date=day,
            loaded=loaded,
        )
    )


def check_window(start: datetime, end: datetime) -> TimeWindow:
    """A window the office gives: it ends after it starts and lasts at most a day."""
    if end <= start:
        raise InvalidValue("end", "the window must end after it starts")
    if end - start > MAX_WINDOW:
        raise InvalidValue("end", "a window lasts at most a day")
    return TimeWindow(start, end)


def change_window(
    order: Order,
    window: TimeWindow,
    *,
    day: date | None,
    reason: str,
    actor: str,
    at: datetime,
) -> bool:
    """Give the order a new promised window and delivery day (``None``: the window says
    the day); records ``order.window_changed`` so webhooks, notifications and the tracking
    page hear of it. False, and nothing recorded, when both were already so."""
    require_open(order)
    if (order.window, order.delivery_date) == (window, day):
        return False
    order.move_window(window)
    order.delivery_date = day
    order.new_events.append(
        events.order_window_changed(
            order_id=order.id,
            brand_id=order.brand_id,
            reference=order.reference,
            actor=actor,
            at=at,
            start=window.start,
            end=window.end,
            delivery_date=day,
            reason=reason,
        )
    )
    return True
