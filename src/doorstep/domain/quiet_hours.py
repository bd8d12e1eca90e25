"""When an SMS may be sent: never between 21:00 and 08:00 London time.

A text that falls in the quiet hours waits for 08:00 (the same morning, or the next one
after 21:00). London's offset changes twice a year (GMT in winter, BST in summer), so the
rule works on the local wall clock and converts back to UTC; both changes happen in the
small hours, so 08:00 and 21:00 always exist exactly once.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
QUIET_FROM = time(21, 0)
QUIET_UNTIL = time(8, 0)


def is_quiet(at: datetime) -> bool:
    local = at.astimezone(LONDON).time()
    return local >= QUIET_FROM or local < QUIET_UNTIL


def sms_allowed_from(at: datetime) -> datetime:
    """``at`` itself outside the quiet hours, else the next 08:00 in London (in UTC)."""
    if at.tzinfo is None:
        raise ValueError("a time without a time zone cannot be placed in London")
    if not is_quiet(at):
        return at
    local = at.astimezone(LONDON)
    day = local.date() + timedelta(days=1) if local.time() >= QUIET_FROM else local.date()
    return datetime.combine(day, QUIET_UNTIL, tzinfo=LONDON).astimezone(UTC)
