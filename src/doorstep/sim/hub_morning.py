"""The hub's morning as a list of scans: receive, sort, load, and three honest mistakes.

Parcels are spread over vehicles and bays by angular sectors around the hub: simple,
deterministic, and close to how a small depot splits its patch into runs. The plan
includes the mistakes a hub must catch, so the demo shows refusals and exceptions:

* one parcel scanned onto the wrong vehicle (refused; then loaded onto the right one),
* one label nobody knows (an unknown barcode, stored as an exception),
* one sort scan sent twice with the same ``client_event_id`` (a scanner retrying after
  a dropped connection; the hub answers the same both times).

When the day has been planned and dispatched, ``vehicle_of`` says which vehicle each
parcel's route uses: those parcels are sorted and loaded onto it, and parcels no route
took are received and sorted to a bay but stay at the hub.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from doorstep.domain.scan import ScanKind, ScanOutcome

BARCODE_ALPHABET: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
SECONDS_PER_SCAN: Final = 4
_EMPTY_TARGET: Final[dict[str, str | None]] = {"bay": None, "route_id": None, "vehicle_id": None}


@dataclass(frozen=True, slots=True)
class PlannedScan:
    """A scan to send to ``POST /v1/hubs/{hub_id}/scans`` and what the hub should say."""

    payload: dict[str, Any]
    expected: ScanOutcome
    note: str = ""
    retry: bool = False  # a resend of the scan just before it, same client_event_id

    @property
    def at(self) -> datetime:
        """When the scan happened (``scanned_at``)."""
        return datetime.fromisoformat(self.payload["scanned_at"])


@dataclass(frozen=True, slots=True)
class _Stop:
    barcodes: tuple[str, ...]
    angle: float


def plan_hub_morning(
    orders_with_parcels: Sequence[Mapping[str, Any]],
    vehicles: Sequence[str],
    bays: Sequence[str],
    seed: int,
    *,
    start: datetime,
    hub: tuple[float, float] | None = None,
    not_after: datetime | None = None,
    vehicle_of: Mapping[str, str] | None = None,
) -> list[PlannedScan]:
    """Every parcel of the created orders received, sorted, then loaded, from ``start``.

    ``orders_with_parcels`` are ``POST /v1/orders`` responses (address lat/lon and parcel
    barcodes are read). ``hub`` is (lat, lon); by default the centre of the orders.
    With a single vehicle there is no wrong vehicle to load onto, so that mistake is left out.

    ``not_after`` (usually now) is when the last scan must have happened at the latest: the
    hub refuses scans from the future, so a morning that would still be running is moved
    earlier, to end then (a night sort before the morning's deliveries).

    ``vehicle_of`` (barcode -> vehicle id, from the dispatched routes) replaces the
    sectors: a parcel missing from it is sorted to a bay with no vehicle and not loaded.
    """
    if not vehicles or not bays:
        raise ValueError("plan_hub_morning needs at least one vehicle and one bay")
    if start.tzinfo is None or (not_after is not None and not_after.tzinfo is None):
        raise ValueError("start and not_after must carry a timezone")
    start = start.astimezone(UTC)  # London arithmetic would be off by an hour across a change
    scans = _plan(orders_with_parcels, vehicles, bays, seed, start, hub, vehicle_of)
    if not_after is not None and scans:
        overrun = scans[-1].at - not_after
        if overrun > timedelta(0):  # the same seed plans the same scans, only earlier
            earlier = start - overrun
            scans = _plan(orders_with_parcels, vehicles, bays, seed, earlier, hub, vehicle_of)
    return scans


def _plan(
    orders_with_parcels: Sequence[Mapping[str, Any]],
    vehicles: Sequence[str],
    bays: Sequence[str],
    seed: int,
    start: datetime,
    hub: tuple[float, float] | None,
    vehicle_of: Mapping[str, str] | None,
) -> list[PlannedScan]:
    rng = random.Random(seed)
    stops = _stops(orders_with_parcels, hub)
    route_of: dict[str, tuple[str | None, str]] = {}
    by_vehicle: dict[str, list[str]] = {v: [] for v in vehicles}
    for rank, stop in enumerate(stops):
        sector = vehicles[rank * len(vehicles) // len(stops)]
        bay = bays[rank * len(bays) // len(stops)]
        for barcode in stop.barcodes:
            vehicle = sector if vehicle_of is None else vehicle_of.get(barcode)
            route_of[barcode] = (vehicle, bay)
            if vehicle is not None:
                by_vehicle.setdefault(vehicle, []).append(barcode)
    plan = _Plan(start)
    _receive(plan, rng, [b for s in stops for b in s.barcodes], set(route_of))
    _sort(plan, rng, route_of)
    _load(plan, rng, by_vehicle)
    return plan.scans


def _stops(orders: Sequence[Mapping[str, Any]], hub: tuple[float, float] | None) -> list[_Stop]:
    points = [(o["address"].get("lat"), o["address"].get("lon")) for o in orders]
    known = [(lat, lon) for lat, lon in points if lat is not None and lon is not None]
    if hub is None and known:
        hub = (sum(p[0] for p in known) / len(known), sum(p[1] for p in known) / len(known))
    stops = []
    for order, (lat, lon) in zip(orders, points, strict=True):
        barcodes = tuple(p["barcode"] for p in order["parcels"])
        if not barcodes:
            continue
        angle = 0.0  # no coordinates: all such stops share the first sector
        if hub is not None and lat is not None and lon is not None:
            angle = math.atan2(lat - hub[0], (lon - hub[1]) * math.cos(math.radians(hub[0])))
        stops.append(_Stop(barcodes, angle))
    stops.sort(key=lambda s: (s.angle, s.barcodes))
    return stops


class _Plan:
    """Collects scans with one clock and one counter per scanner."""

    def __init__(self, start: datetime) -> None:
        self.scans: list[PlannedScan] = []
        self._clock = start
        self._counters: dict[str, int] = {}

    def add(
        self,
        scanner: str,
        barcode: str,
        kind: ScanKind,
        target: dict[str, str | None],
        expected: ScanOutcome = ScanOutcome.ACCEPTED,
        note: str = "",
    ) -> PlannedScan:
        self._counters[scanner] = self._counters.get(scanner, 0) + 1
        self._clock += timedelta(seconds=SECONDS_PER_SCAN)
        payload = {
            "client_event_id": f"{scanner}-{self._counters[scanner]:06d}",
            "barcode": barcode,
            "kind": kind.value,
            "target": _EMPTY_TARGET | target,
            "scanned_at": self._clock.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        scan = PlannedScan(payload, expected, note)
        self.scans.append(scan)
        return scan

    def resend(self, scan: PlannedScan, note: str) -> None:
        self.scans.append(PlannedScan(dict(scan.payload), scan.expected, note, retry=True))


def _receive(plan: _Plan, rng: random.Random, barcodes: list[str], known: set[str]) -> None:
    """Inbound: cages come off the brands' vans in no useful order; one stray label."""
    order = barcodes[:]
    rng.shuffle(order)
    stray_at = rng.randrange(len(order) + 1)
    for i, barcode in enumerate(order):
        if i == stray_at:
            _stray(plan, rng, known)
        plan.add("inbound-1", barcode, ScanKind.RECEIVE, {})
    if stray_at == len(order):
        _stray(plan, rng, known)


def _stray(plan: _Plan, rng: random.Random, known: set[str]) -> None:
    stray = "DS" + "".join(rng.choice(BARCODE_ALPHABET) for _ in range(12))
    while stray in known:  # pragma: no cover - 60 random bits
        stray = "DS" + "".join(rng.choice(BARCODE_ALPHABET) for _ in range(12))
    plan.add(
        "inbound-1",
        stray,
        ScanKind.RECEIVE,
        {},
        ScanOutcome.UNKNOWN_BARCODE,
        "a label from another operator in the cage",
    )


def _sort(plan: _Plan, rng: random.Random, route_of: dict[str, tuple[str | None, str]]) -> None:
    """Sorting to bays in belt order; one scan is resent after a dropped connection."""
    order = list(route_of)
    rng.shuffle(order)
    retry_at = rng.randrange(len(order)) if order else -1
    for i, barcode in enumerate(order):
        vehicle, bay = route_of[barcode]
        scan = plan.add("sorter-1", barcode, ScanKind.SORT, {"bay": bay, "vehicle_id": vehicle})
        if i == retry_at:
            plan.resend(scan, "scanner retried after a dropped connection")


def _load(plan: _Plan, rng: random.Random, by_vehicle: dict[str, list[str]]) -> None:
    """Loading van by van, last drop first; one parcel first goes onto the wrong van."""
    loaded = [v for v, barcodes in by_vehicle.items() if barcodes]
    wrong: tuple[str, str] | None = None  # (barcode, the van it is wrongly put on)
    if len(by_vehicle) > 1 and loaded:
        owner = rng.choice(loaded)
        barcode = rng.choice(by_vehicle[owner])
        wrong = (barcode, rng.choice([v for v in by_vehicle if v != owner]))
    for vehicle, barcodes in by_vehicle.items():
        if wrong is not None and wrong[1] == vehicle:
            plan.add(
                "loader-1",
                wrong[0],
                ScanKind.LOAD,
                {"vehicle_id": vehicle},
                ScanOutcome.REFUSED,
                "parcel sorted for another vehicle",
            )
        for barcode in reversed(barcodes):
            plan.add("loader-1", barcode, ScanKind.LOAD, {"vehicle_id": vehicle})
