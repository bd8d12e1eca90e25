"""What a planning run will need in memory, told before it starts rather than by a crash.

A day is solved on dense travel matrices: one of durations and one of distances per
vehicle profile, each ``points x points`` 8-byte numbers. They are made by the routing
back-end, cut to the stops worth solving, and copied into PyVRP, so the peak holds
several copies at once; a part's size grows with the square of its stops, so a big day
is planned in parts (:mod:`doorstep.planning.decompose`) and grows about linearly. The figure
here is an estimate to refuse early with, not an exact account. Measured on the Camden
road network with three profiles (2026-12-03): 1,502 points peaked at 445 MiB in the
planning process (estimate 761 MiB), 4,002 points at 2,370 MiB (estimate 2,966 MiB); the
forked search process shares most of that copy-on-write.
"""

from __future__ import annotations

from dataclasses import dataclass

from doorstep.planning.decompose import split_day
from doorstep.planning.model import PlanningProblem

_CELL_BYTES = 8
# Per profile: the back-end's two matrices, the solver's cut copies of both and PyVRP's
# own two; plus the back-end's working arrays while it builds one profile (three).
_COPIES_PER_PROFILE = 6
_WORKING_COPIES = 3
_BACKEND_COPIES = 2  # durations and distances of a part waiting its turn
_BASE_BYTES = 400 * 1024**2  # the interpreter, PyVRP, the road network and the rest


@dataclass(frozen=True, slots=True)
class MemoryEstimate:
    """``points`` is the largest part's (hubs included); ``parts`` the number of parts,
    whose back-end matrices may all be held while the first is solved (the order-file
    door routes every part first, so one run names every point off the network)."""

    points: int
    profiles: int
    parts: int = 1

    @classmethod
    def of(cls, problem: PlanningProblem, part_stops: int) -> MemoryEstimate:
        parts = split_day(problem, part_stops)
        largest = max(len(p.stops) for p in parts)
        return cls(len(problem.hubs) + largest, len(problem.profiles()), len(parts))

    @property
    def bytes(self) -> int:
        cell_bytes = self.points * self.points * _CELL_BYTES
        copies = _COPIES_PER_PROFILE * self.profiles + _WORKING_COPIES
        held = (self.parts - 1) * _BACKEND_COPIES * self.profiles
        return _BASE_BYTES + cell_bytes * (copies + held)

    def refusal(self, available_bytes: int) -> str | None:
        """Why this run will not fit in ``available_bytes``, or None when it will."""
        if self.bytes <= available_bytes:
            return None
        return (
            f"planning {self.parts} part(s) of up to {self.points:,} points on "
            f"{self.profiles} vehicle profile(s) needs "
            f"about {_gb(self.bytes)} of memory (dense travel matrices grow with the square "
            f"of a part's stops); {_gb(available_bytes)} is available. Plan the day in "
            "smaller parts (by hub or area), or with fewer vehicle types"
        )


def _gb(amount: int) -> str:
    return f"{amount / 1024**3:.1f} GB"
