"""Run a use case's transaction again when it lost a race to a concurrent writer.

On PostgreSQL two requests may both read a row before either writes it; the second write
is then refused (a stale version, or a unique key the first one took). For a use case
whose answer is the same however often it runs (a repeated scan replays, cancelling a
cancelled order changes nothing), running it again from the start gives the loser the
answer it would have had a moment later, instead of 409 "changed meanwhile".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from doorstep.services.ports import StaleObject

RACE_ATTEMPTS = 4
"""One more try settles a race between copies of one request; a few settle the rest."""

T = TypeVar("T")


def retried_on_race(
    run: Callable[[], T],
    *,
    refusals: tuple[type[Exception], ...] = (StaleObject,),
    attempts: int = RACE_ATTEMPTS,
) -> T:
    """``run()``, again up to ``attempts`` times while it raises one of ``refusals``."""
    for attempt in range(1, attempts + 1):
        try:
            return run()
        except refusals:
            if attempt == attempts:
                raise
    raise AssertionError("unreachable")
