"""What happens to a parcel after a failed attempt: each brand's delivery policy.

A brand says how many attempts a parcel gets (1 to 5, three by default), when the next one
is made (the next working day, or the day the recipient chose on the tracking page), and
what happens after the last: the parcel goes back to the sender, or waits at the hub for the
recipient to collect it for a number of days. When a failed parcel is back at the hub,
:func:`next_step` decides from the parcel's own history, the policy and the calendar
(:mod:`doorstep.domain.working_days`); the decision is written into the parcel's event, so the
timeline says why the parcel went where it went. Time is passed in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Final

from doorstep.domain import working_days
from doorstep.domain.errors import InvalidValue
from doorstep.domain.parcel import ParcelAction, ParcelEvent

MIN_ATTEMPTS: Final = 1
MAX_ATTEMPTS: Final = 5
MAX_HOLD_DAYS: Final = 30
DEFAULT_HOLD_DAYS: Final = 7


class Reattempt(StrEnum):
    NEXT_WORKING_DAY = "next_working_day"
    CUSTOMER_DAY = "customer_day"  # the day the recipient chose (tracking page), if any


class AfterLastAttempt(StrEnum):
    RETURN_TO_SENDER = "return_to_sender"
    HOLD_AT_HUB = "hold_at_hub"  # kept at the hub for the recipient to collect


class StepKind(StrEnum):
    REATTEMPT = "reattempt"
    HOLD = "hold_at_hub"
    RETURN = "return_to_sender"


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    """A brand's rule for failed attempts; the defaults are every brand's until it sets one."""

    attempts_allowed: int = 3
    reattempt: Reattempt = Reattempt.NEXT_WORKING_DAY
    hold_at_hub_days: int = DEFAULT_HOLD_DAYS
    after_last_attempt: AfterLastAttempt = AfterLastAttempt.RETURN_TO_SENDER

    def __post_init__(self) -> None:
        if isinstance(self.attempts_allowed, bool) or not (
            MIN_ATTEMPTS <= self.attempts_allowed <= MAX_ATTEMPTS
        ):
            raise InvalidValue(
                "attempts_allowed", f"must be between {MIN_ATTEMPTS} and {MAX_ATTEMPTS}"
            )
        if isinstance(self.hold_at_hub_days, bool) or not (
            1 <= self.hold_at_hub_days <= MAX_HOLD_DAYS
        ):
            raise InvalidValue("hold_at_hub_days", f"must be between 1 and {MAX_HOLD_DAYS}")
        if not isinstance(self.reattempt, Reattempt):
            raise InvalidValue("reattempt", _one_of(Reattempt))
        if not isinstance(self.after_last_attempt, AfterLastAttempt):
            raise InvalidValue("after_last_attempt", _one_of(AfterLastAttempt))

    @classmethod
    def parse(
        cls,
        *,
        attempts_allowed: int,
        reattempt: str,
        hold_at_hub_days: int,
        after_last_attempt: str,
    ) -> DeliveryPolicy:
        """A policy from plain values (a form, a JSON body, a row), refused field by field."""
        try:
            how = Reattempt(reattempt)
        except ValueError:
            raise InvalidValue("reattempt", _one_of(Reattempt)) from None
        try:
            after = AfterLastAttempt(after_last_attempt)
        except ValueError:
            raise InvalidValue("after_last_attempt", _one_of(AfterLastAttempt)) from None
        return cls(attempts_allowed, how, hold_at_hub_days, after)


def _one_of(kind: type[StrEnum]) -> str:
    return "must be one of " + ", ".join(member.value for member in kind)


DEFAULT_POLICY: Final = DeliveryPolicy()


@dataclass(frozen=True, slots=True)
class NextStep:
    """The decision for one failed parcel back at the hub, and why, in the dispatcher's words."""

    kind: StepKind
    attempts: int  # attempts made so far (those that reached the door)
    attempts_allowed: int
    day: date | None = None  # the re-attempt's day
    hold_until: date | None = None  # the last day a held parcel waits for collection
    why: str = ""

    @property
    def action(self) -> ParcelAction:
        """The parcel's move: back in the hub (re-attempt, hold) or on its way back."""
        return ParcelAction.START_RETURN if self.kind is StepKind.RETURN else ParcelAction.RECEIVE

    def details(self) -> dict[str, str]:
        """What the parcel's event records, for the timeline and the planner."""
        found = {
            "next_step": self.kind.value,
            "attempt": str(self.attempts),
            "attempts_allowed": str(self.attempts_allowed),
            "why": self.why,
        }
        if self.day is not None:
            found["reattempt_on"] = self.day.isoformat()
        if self.hold_until is not None:
            found["hold_until"] = self.hold_until.isoformat()
        return found


def attempts_made(events: Iterable[ParcelEvent]) -> int:
    """Failed attempts that reached the door: a stop the van never got to (``not_attempted``,
    the route ended first) is not the recipient's missed chance and does not count."""
    return sum(
        1
        for event in events
        if event.action is ParcelAction.FAIL_ATTEMPT
        and event.details.get("not_attempted") != "true"
    )


def next_working_day(after: date) -> date:
    """The first working day after ``after`` (Saturday counts; Sundays and bank holidays
    do not)."""
    return working_days.next_working_days(after + timedelta(days=1), 1)[0]


def reattempt_day(policy: DeliveryPolicy, *, today: date, customer_day: date | None) -> date:
    """The next attempt's day: the recipient's chosen day when the policy follows it and the
    day is still ahead and a working day; otherwise the next working day."""
    if (
        policy.reattempt is Reattempt.CUSTOMER_DAY
        and customer_day is not None
        and customer_day > today
        and working_days.is_working_day(customer_day)
    ):
        return customer_day
    return next_working_day(today)


def hold_until(policy: DeliveryPolicy, today: date) -> date:
    """The last working day a held parcel waits: ``hold_at_hub_days`` working days on."""
    return working_days.next_working_days(today + timedelta(days=1), policy.hold_at_hub_days)[-1]


def next_step(
    policy: DeliveryPolicy,
    events: Iterable[ParcelEvent],
    *,
    today: date,
    customer_day: date | None = None,
) -> NextStep:
    """Decide a failed parcel's next step from its history, the brand's policy and the
    calendar: another attempt while attempts remain, else hold or return per the policy."""
    made = attempts_made(events)
    allowed = policy.attempts_allowed
    if made < allowed:
        day = reattempt_day(policy, today=today, customer_day=customer_day)
        chosen = " (the recipient's day)" if day == customer_day else ""
        why = f"attempt {made} of {allowed} failed; next attempt on {day:%a %-d %b}{chosen}"
        return NextStep(StepKind.REATTEMPT, made, allowed, day=day, why=why)
    if policy.after_last_attempt is AfterLastAttempt.HOLD_AT_HUB:
        until = hold_until(policy, today)
        why = (
            f"last attempt ({made} of {allowed}) failed; "
            f"held for collection until {until:%a %-d %b}"
        )
        return NextStep(StepKind.HOLD, made, allowed, hold_until=until, why=why)
    why = f"last attempt ({made} of {allowed}) failed; returning to the sender"
    return NextStep(StepKind.RETURN, made, allowed, why=why)


def held(last: ParcelEvent | None) -> bool:
    """Whether a parcel whose last event is ``last`` waits at the hub for its recipient to
    collect it: no plan takes it (the dispatcher returns it when nobody comes)."""
    return (
        last is not None
        and last.action is ParcelAction.RECEIVE
        and last.details.get("next_step") == StepKind.HOLD.value
    )
