"""eta: how often arrivals fall inside the announced windows, and how far off ETAs are.

    python -m benchmarks.eta --json OUT [--routes 12] [--stops 40] [--seed 1]
                             [--network camden|straight_line]

Each route is a day simulated from a plan, then replayed through the code the server
runs. The plan: ``--stops`` real Camden addresses (OSM, ``shared/data/osm``) close to one
another, visited nearest-first from the Regis Road hub, starting at a seeded time between
07:30 and 15:00 (so every traffic band is met). The day as it happens: each leg takes the
model's time in the traffic band it starts in, times the courier's pace for the day
(log-normal, sigma 0.12) and the leg's own luck (log-normal, sigma 0.25); each door the
model's door time (``planning/door_time.py``) times a log-normal (sigma 0.45), plus a
wait of one to five minutes at one door in ten. The phone sends a position every minute
while driving (on the straight line between doors), and the arrival and the delivery at
each door. Replayed in time order through ``services.eta`` (the recompute after each
action, the 30-second throttle on pings) over the in-memory store of the unit tests, with
an injected clock: the same predictor, rules and error model as the server.

Reported: the share of arrivals inside the one-hour window told at route start, inside
the 30- and 15-minute windows told later, and inside the last window told; the mean
absolute error of the ETA in force 60, 30 and 10 minutes before each arrival, next to the
plan's own arrival time as a baseline; how many delays were raised and how many of them
were right (the arrival did fall after the window's end).
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import random
import statistics
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import cast

from tests.unit.fakes import FakeClock, FakeDatabase, uow_factory

from benchmarks._eta_day import BenchDay, build_day
from benchmarks._london_instance import ADDRESS_FILE, HUB, address_type, read_addresses
from benchmarks._london_matrices import camden_network
from doorstep.domain.events import EventName
from doorstep.domain.model import GeoPoint, VehicleType
from doorstep.geo.provider import TravelMatrix, TravelTimeProvider
from doorstep.geo.straight_line import StraightLineProvider
from doorstep.geo.traffic import LONDON
from doorstep.planning.eta import ErrorPrior
from doorstep.services.eta.recompute import EtaParams
from doorstep.services.eta.refresh import ETA, EtaRefresh
from doorstep.services.ports import Routing

HORIZONS_MIN = (60, 30, 10)
VAN = VehicleType.VAN


class MemoProvider:
    """The matrix cache the server keeps on disk, in memory: one route, the same points."""

    def __init__(self, inner: TravelTimeProvider) -> None:
        self.inner = inner
        self.name = inner.name
        self._seen: dict[tuple[object, ...], TravelMatrix] = {}

    def matrix(
        self, points: Sequence[GeoPoint], profile: VehicleType, depart: datetime
    ) -> TravelMatrix:
        key = (tuple(points), profile, LONDON.factor(depart, profile))
        if key not in self._seen:
            self._seen[key] = self.inner.matrix(points, profile, depart)
        return self._seen[key]


@dataclass(slots=True)
class Tally:
    arrivals: int = 0
    inside: dict[str, list[bool]] = field(
        default_factory=lambda: {"day": [], "approaching": [], "next": [], "last": []}
    )
    errors_min: dict[int, list[float]] = field(
        default_factory=lambda: {h: [] for h in HORIZONS_MIN}
    )
    plan_errors_min: dict[int, list[float]] = field(
        default_factory=lambda: {h: [] for h in HORIZONS_MIN}
    )
    delays: int = 0
    delays_right: int = 0
    late_after_day_window: int = 0
    late_warned: int = 0
    recomputes: int = 0


@dataclass(frozen=True, slots=True)
class Row:
    network: str
    prior_weight: float
    routes: int
    stops_per_route: int
    seed: int
    arrivals: int
    inside_day_window: float
    inside_approaching_window: float
    inside_next_window: float
    inside_last_window: float
    mae_60_min: float
    mae_30_min: float
    mae_10_min: float
    plan_mae_60_min: float
    plan_mae_30_min: float
    plan_mae_10_min: float
    delays_raised: int
    delays_right: float  # share of delays raised whose arrival did fall after the window
    late_after_day_window: int  # arrivals after the end of the hour told at route start
    late_warned: float  # share of those with a delay raised before the arrival
    recomputes: int
    wall_s: float
    date: str
    machine: str


def _replay(day: BenchDay, routing: Routing, tally: Tally, params: EtaParams) -> None:
    """Every step of the day in time order, through the recompute the server runs."""
    db = FakeDatabase()
    factory = uow_factory(db)
    clock = FakeClock(day.start - timedelta(hours=1))
    day.store(factory)
    refresh = EtaRefresh(factory, clock, lambda network: routing, params)
    history: list[tuple[datetime, dict[str, datetime]]] = []

    def note() -> None:
        state = db.eta_states.get(day.route_id)
        if state is not None and (not history or history[-1][0] != state.computed_at):
            history.append((state.computed_at, dict(state.predictions)))

    for step in day.steps():
        clock.current = step.at
        if step.ping is not None:
            with factory(ETA) as uow:
                uow.pings.add_many(day.courier_id, [step.ping], received_at=step.at)
                uow.commit()
            refresh.courier(day.courier_id)
        else:
            day.apply(factory, step)
            refresh.route(day.route_id)
        note()
    _score(day, db, history, tally)


def _score(
    day: BenchDay,
    db: FakeDatabase,
    history: list[tuple[datetime, dict[str, datetime]]],
    tally: Tally,
) -> None:
    tally.recomputes += len(history)
    told: dict[str, dict[str, tuple[datetime, datetime]]] = {}
    last: dict[str, tuple[datetime, datetime]] = {}
    for _, window in db.eta_announcements:
        told.setdefault(window.stop_id, {}).setdefault(window.kind, (window.start, window.end))
        last[window.stop_id] = (window.start, window.end)
    for visit in day.visits:
        tally.arrivals += 1
        arrived = visit.arrival
        for kind in ("day", "approaching", "next"):
            if (span := told.get(visit.stop_id, {}).get(kind)) is not None:
                tally.inside[kind].append(span[0] <= arrived <= span[1])
        start, end = last[visit.stop_id]
        tally.inside["last"].append(start <= arrived <= end)
        for h in HORIZONS_MIN:
            moment = arrived - timedelta(minutes=h)
            known = [p for at, p in history if at <= moment and visit.stop_id in p]
            if moment < day.start or not known:
                continue
            error = abs((known[-1][visit.stop_id] - arrived).total_seconds()) / 60
            tally.errors_min[h].append(error)
            plan = abs((visit.planned - arrived).total_seconds()) / 60
            tally.plan_errors_min[h].append(plan)
    actual = {v.stop_id: v.arrival for v in day.visits}
    warned: set[str] = set()
    for _, event, _ in db.outbox:
        if event.name == EventName.STOP_DELAY_PREDICTED:
            stop_id = event.payload["stop_id"]
            tally.delays += 1
            end = datetime.fromisoformat(event.payload["window_end"])
            tally.delays_right += actual[stop_id] > end
            if event.occurred_at < actual[stop_id]:
                warned.add(stop_id)
    for visit in day.visits:
        if visit.arrival > told[visit.stop_id]["day"][1]:
            tally.late_after_day_window += 1
            tally.late_warned += visit.stop_id in warned


def _mean(values: Sequence[float]) -> float:
    return round(statistics.fmean(values), 2) if values else math.nan


def _share(values: Sequence[bool]) -> float:
    return round(sum(values) / len(values), 3) if values else math.nan


def run(routes: int, stops: int, seed: int, network: str, prior_weight: float = 5.0) -> Row:
    """``prior_weight``: how many observations the error prior counts as (a huge one turns
    the route's measured bias off, for comparison)."""
    params = EtaParams(prior=ErrorPrior(weight=prior_weight))
    if network == "camden":
        provider = camden_network().provider
    else:
        provider = cast(TravelTimeProvider, StraightLineProvider(traffic=LONDON))
    routing = Routing(cast(TravelTimeProvider, MemoProvider(provider)), LONDON)
    rows = [r for r in read_addresses(ADDRESS_FILE) if r["lat"] and r["lon"]]
    tally = Tally()
    began = time.perf_counter()
    for index in range(routes):
        rng = random.Random(seed * 10_007 + index)
        day = build_day(rng, rows, stops, routing, hub=HUB.point, kind_of=address_type)
        _replay(day, routing, tally, params)
    return Row(
        network=network,
        prior_weight=prior_weight,
        routes=routes,
        stops_per_route=stops,
        seed=seed,
        arrivals=tally.arrivals,
        inside_day_window=_share(tally.inside["day"]),
        inside_approaching_window=_share(tally.inside["approaching"]),
        inside_next_window=_share(tally.inside["next"]),
        inside_last_window=_share(tally.inside["last"]),
        mae_60_min=_mean(tally.errors_min[60]),
        mae_30_min=_mean(tally.errors_min[30]),
        mae_10_min=_mean(tally.errors_min[10]),
        plan_mae_60_min=_mean(tally.plan_errors_min[60]),
        plan_mae_30_min=_mean(tally.plan_errors_min[30]),
        plan_mae_10_min=_mean(tally.plan_errors_min[10]),
        delays_raised=tally.delays,
        delays_right=round(tally.delays_right / tally.delays, 3) if tally.delays else math.nan,
        late_after_day_window=tally.late_after_day_window,
        late_warned=round(tally.late_warned / tally.late_after_day_window, 3)
        if tally.late_after_day_window
        else math.nan,
        recomputes=tally.recomputes,
        wall_s=round(time.perf_counter() - began, 1),
        date=datetime.now(UTC).date().isoformat(),
        machine=f"{platform.machine()} {platform.python_implementation()} "
        f"{platform.python_version()}",
    )


def table(row: Row) -> str:
    lines = [
        "| | value |",
        "|---|---|",
        f"| routes x stops | {row.routes} x {row.stops_per_route} ({row.arrivals} arrivals) |",
        f"| inside the 1 h window told at start | {row.inside_day_window:.1%} |",
        f"| inside the 30 min window (3 stops away) | {row.inside_approaching_window:.1%} |",
        f"| inside the 15 min window (next) | {row.inside_next_window:.1%} |",
        f"| inside the last window told | {row.inside_last_window:.1%} |",
    ]
    for h in HORIZONS_MIN:
        ours, plan = getattr(row, f"mae_{h}_min"), getattr(row, f"plan_mae_{h}_min")
        lines.append(f"| ETA error {h} min before (plan's) | {ours} min ({plan} min) |")
    lines.append(f"| delays raised (right) | {row.delays_raised} ({row.delays_right:.0%}) |")
    lines.append(
        f"| late after the 1 h window (warned before) | {row.late_after_day_window} "
        f"({row.late_warned:.0%}) |"
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="write the row here")
    parser.add_argument("--routes", type=int, default=12)
    parser.add_argument("--stops", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--network", choices=("camden", "straight_line"), default="camden")
    parser.add_argument("--prior-weight", type=float, default=ErrorPrior().weight)
    args = parser.parse_args(argv)
    row = run(args.routes, args.stops, args.seed, args.network, args.prior_weight)
    print(table(row))
    if args.json is not None:
        args.json.write_text(json.dumps([asdict(row)], indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
