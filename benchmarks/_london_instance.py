"""A seeded London delivery day: real Camden addresses, a Kentish Town hub, a mixed fleet.

Figures chosen to look like a small London parcel operator, not to flatter a solver:

* Hub on Regis Road, Kentish Town (a real industrial estate with parcel depots); couriers
  on foot start from a micro-hub near Russell Square, as operators drop walkers in the
  dense centre instead of walking them 4 km from the depot.
* Vans: long-wheelbase panel vans (about 1 t payload, 11 m3 of which ~9 m3 is usable
  around shelving), 250 parcels. E-cargo bikes: trike with a 1.2 m3 box, 150 kg, 50
  parcels. Walkers: a trolley of 20 parcels, 30 kg.
* Shifts 08:00-18:00 (walkers 09:00-17:00) with a 30-minute break starting 12:00-14:00.
* Costs: van 0.45 GBP/km (diesel and wear) and 16 GBP/h (London Living Wage plus
  on-costs), 30 GBP a day fixed (lease); bike 0.05 GBP/km, 15 GBP/h, 8 GBP fixed; walker
  14 GBP/h, 2 GBP fixed.
* About 40% of stops have a 2-4 h window (booked slots, must be served), 10% are
  same-day (must be served), the rest next-day parcels the planner may defer at a penalty.
* 1-3 parcels per stop; weights are mostly small (median ~1.5 kg), volumes follow.

A *tight* day (``fleet="tight"``) has the same stops and a December fleet: four and a
half vans, four bikes and one and a half walkers per 1,000 stops, with room in one load
for about four parcels in five (every promised parcel fits, not every next-day one), so
the planner must choose what waits. Its vehicles may go
back to their hub to load again (bikes and walkers twice, 10 minutes each; vans once,
20 minutes), as operators do in December; ``london_day`` also runs Doorstep with one
trip each (``doorstep_one_trip``) to compare like with like against solvers that are
given no reloads.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from doorstep.domain.model import AddressType, Capacity, GeoPoint, ServiceLevel, TimeWindow
from doorstep.domain.model import VehicleType as Vehicle
from doorstep.planning.model import (
    AreaType,
    Break,
    ParcelLoad,
    PlanningHub,
    PlanningProblem,
    PlanningStop,
    PlanningVehicle,
)

LONDON = ZoneInfo("Europe/London")
DAY = date(2026, 3, 10)  # a Tuesday in GMT, no clock change nearby
ROOT = Path(__file__).resolve().parents[1]
# ../shared beside the clone (CI); a worktree one level deeper finds it at ../../shared.
SHARED = next(
    (p for p in (ROOT / ".." / "shared", ROOT / ".." / ".." / "shared") if p.is_dir()),
    ROOT / ".." / "shared",
)
ADDRESS_FILE = SHARED / "data" / "osm" / "derived" / "camden_addresses.csv"
HUB = PlanningHub("hub_regis_road", GeoPoint(51.5494, -0.1408))
MICRO_HUB = PlanningHub("hub_russell_square", GeoPoint(51.5218, -0.1246))
# North of Euston Road is inner London; south of it (Bloomsbury, Holborn) is central.
CENTRAL_SOUTH_OF_LAT = 51.5265
DAY_SHIFT = (time(8), time(18))
WALK_SHIFT = (time(9), time(17))


@dataclass(frozen=True, slots=True)
class FleetClass:
    """One kind of vehicle and how many of it per 1,000 stops."""

    prefix: str
    vehicle_type: Vehicle
    per_thousand: float
    capacity: Capacity
    hub: PlanningHub
    shift: tuple[time, time]
    cost_per_km: float
    cost_per_hour: float
    fixed_cost: float


VAN, BIKE, WALK = Vehicle.VAN, Vehicle.E_CARGO_BIKE, Vehicle.ON_FOOT
# prefix, profile, per 1,000 stops, capacity, hub, shift, GBP/km, GBP/h, GBP fixed
FLEET = (
    FleetClass("van", VAN, 7, Capacity(250, 1000, 9000), HUB, DAY_SHIFT, 0.45, 16.0, 30.0),
    FleetClass("bike", BIKE, 4, Capacity(50, 150, 1200), HUB, DAY_SHIFT, 0.05, 15.0, 8.0),
    FleetClass("foot", WALK, 2, Capacity(20, 30, 120), MICRO_HUB, WALK_SHIFT, 0.0, 14.0, 2.0),
)  # fmt: skip
# December: the same classes, fewer of them (vans are the first thing short), and the
# reloads (count, seconds at the hub) each class may make.
TIGHT_PER_THOUSAND = {"van": 4.5, "bike": 4, "foot": 1.5}
TIGHT_RELOADS = {"van": (1, 1200), "bike": (2, 600), "foot": (2, 600)}
FLEETS = ("comfortable", "tight")
BREAK_EARLIEST, BREAK_LATEST, BREAK_S = time(12), time(14), 30 * 60


def at(clock: time) -> datetime:
    return datetime.combine(DAY, clock, tzinfo=LONDON)


def read_addresses(path: Path = ADDRESS_FILE) -> list[dict[str, str]]:
    """The OSM address rows; a missing file names what to fetch."""
    if not path.is_file():
        raise SystemExit(f"address file not found: {path} (needs ../shared beside the clone)")
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def address_type(row: dict[str, str]) -> AddressType:
    building = row["building"]
    if row["flats"] or building in {"apartments", "residential"}:
        return AddressType.FLAT
    if building in {"office", "university", "school"}:
        return AddressType.RECEPTION
    if row["name"] or building in {"retail", "commercial", "pub", "industrial"}:
        return AddressType.BUSINESS
    return AddressType.HOUSE


def _parcels(rng: random.Random, stop_number: int) -> tuple[ParcelLoad, ...]:
    count = rng.choices((1, 2, 3), weights=(50, 32, 18))[0]
    loads = []
    for k in range(count):
        weight = min(25.0, round(rng.lognormvariate(0.4, 0.8), 2))
        volume = round(max(1.0, weight * rng.uniform(3.0, 8.0)), 1)
        loads.append(ParcelLoad(f"par_{stop_number:05d}_{k}", weight, volume))
    return tuple(loads)


def _promise(rng: random.Random) -> tuple[ServiceLevel, tuple[TimeWindow, ...]]:
    draw = rng.random()
    if draw < 0.4:
        hours = rng.choice((2, 3, 4))
        start = rng.randint(8, 18 - hours)
        window = TimeWindow(at(time(start)), at(time(start + hours)))
        return ServiceLevel.SCHEDULED, (window,)
    if draw < 0.5:
        return ServiceLevel.SAME_DAY, ()
    return ServiceLevel.NEXT_DAY, ()


def _stop(rng: random.Random, number: int, row: dict[str, str]) -> PlanningStop:
    point = GeoPoint(float(row["lat"]), float(row["lon"]))
    level, windows = _promise(rng)
    return PlanningStop(
        id=f"stop_{number:05d}",
        point=point,
        parcels=_parcels(rng, number),
        windows=windows,
        service_level=level,
        address_type=address_type(row),
        area=AreaType.CENTRAL if point.lat < CENTRAL_SOUTH_OF_LAT else AreaType.INNER,
        postcode=row["postcode"],
    )


def fleet(stops: int, kind: str = "comfortable") -> tuple[PlanningVehicle, ...]:
    vehicles = []
    brk = Break(at(BREAK_EARLIEST), at(BREAK_LATEST), BREAK_S)
    for cls in FLEET:
        tight = kind == "tight"
        per_thousand = TIGHT_PER_THOUSAND[cls.prefix] if tight else cls.per_thousand
        reloads, reload_s = TIGHT_RELOADS[cls.prefix] if tight else (0, 900)
        for k in range(max(1, round(per_thousand * stops / 1000))):
            vehicles.append(
                PlanningVehicle(
                    id=f"{cls.prefix}_{k + 1:02d}",
                    vehicle_type=cls.vehicle_type,
                    capacity=cls.capacity,
                    shift_start=at(cls.shift[0]),
                    shift_end=at(cls.shift[1]),
                    start_hub=cls.hub.id,
                    end_hub=cls.hub.id,
                    break_=brk,
                    cost_per_km=cls.cost_per_km,
                    cost_per_hour=cls.cost_per_hour,
                    fixed_cost=cls.fixed_cost,
                    max_reloads=reloads,
                    reload_s=reload_s,
                )
            )
    return tuple(vehicles)


def build_problem(
    stops: int,
    seed: int,
    rows: list[dict[str, str]],
    routable: set[int] | None = None,
    fleet_kind: str = "comfortable",
    fill_from: int | None = None,
) -> PlanningProblem:
    """``stops`` distinct entrances drawn with ``seed`` (among ``routable`` row indices);
    rows from ``fill_from`` on are drawn only once the rows before it are used up."""
    rng = random.Random(seed)
    candidates = sorted(routable) if routable is not None else list(range(len(rows)))
    rng.shuffle(candidates)
    if fill_from is not None:
        candidates.sort(key=lambda index: index >= fill_from)  # stable: keeps the shuffle
    seen: set[tuple[str, str]] = set()
    chosen: list[PlanningStop] = []
    for index in candidates:
        row = rows[index]
        key = (f"{float(row['lat']):.5f}", f"{float(row['lon']):.5f}")
        if key in seen:
            continue  # two addresses on one entrance would be one stop
        seen.add(key)
        chosen.append(_stop(rng, len(chosen) + 1, row))
        if len(chosen) == stops:
            break
    if len(chosen) < stops:
        raise SystemExit(f"--stops {stops}: only {len(chosen)} distinct addresses available")
    return PlanningProblem(
        date=DAY,
        departure=at(time(7, 30)),
        hubs=(HUB, MICRO_HUB),
        stops=tuple(chosen),
        vehicles=fleet(stops, fleet_kind),
    )


def horizon_s(problem: PlanningProblem) -> int:
    """Seconds from departure to the last shift end: the solvers' time horizon."""
    last = max(v.shift_end for v in problem.vehicles)
    return int((last - problem.departure) / timedelta(seconds=1))
