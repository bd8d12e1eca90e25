"""One simulated courier's day for ``benchmarks.eta``: the plan, and the day as it happens.

The plan is what the server knows (the model's legs and door times); the day is drawn
from seeded distributions around it (see ``benchmarks/eta.py`` for the figures). The
route and its orders are stored in an in-memory store as dispatch would leave them.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tests import factories

from doorstep.domain import ids
from doorstep.domain.access import Principal
from doorstep.domain.model import AddressType, GeoPoint, VehicleType
from doorstep.domain.pings import Ping
from doorstep.domain.route import Route, RouteStop
from doorstep.geo.traffic import LONDON
from doorstep.planning.door_time import DoorTimeParams, door_time_s
from doorstep.planning.eta import Departure, RemainingStop, predict_arrivals
from doorstep.planning.model import ParcelLoad, PlanningStop
from doorstep.services.plans.problem import area_of
from doorstep.services.ports import Routing, UnitOfWorkFactory

BENCH = Principal.system("benchmark")
VAN = VehicleType.VAN
PING_EVERY = timedelta(minutes=1)
FIRST_START = datetime(2026, 11, 25, 7, 30, tzinfo=UTC)  # a Wednesday; GMT = London time


@dataclass(frozen=True, slots=True)
class Visit:
    stop_id: str
    planned: datetime  # the plan's arrival (the model at route start)
    arrival: datetime  # as it happened
    done: datetime


@dataclass(frozen=True, slots=True)
class Step:
    at: datetime
    kind: str  # "start_route", "ping", "arrive", "complete"
    stop: int | None = None
    ping: Ping | None = None


@dataclass
class BenchDay:
    route: Route
    orders: list[object]
    standing: list[object]
    visits: list[Visit]
    pings: list[Ping]
    start: datetime

    @property
    def route_id(self) -> str:
        return self.route.id

    @property
    def courier_id(self) -> str:
        return self.route.courier_id

    def store(self, factory: UnitOfWorkFactory) -> None:
        brand, hub, vehicle, courier = self.standing
        with factory(BENCH) as uow:
            uow.brands.add(brand)  # type: ignore[arg-type]
            uow.hubs.add(hub)  # type: ignore[arg-type]
            uow.vehicles.add(vehicle)  # type: ignore[arg-type]
            uow.couriers.add(courier)  # type: ignore[arg-type]
            uow.orders.add_all(self.orders)  # type: ignore[arg-type]
            uow.routes.add(self.route)
            uow.commit()

    def steps(self) -> Iterator[Step]:
        found = [Step(self.start, "start_route")]
        found += [Step(p.at, "ping", ping=p) for p in self.pings]
        for n, visit in enumerate(self.visits):
            found += [Step(visit.arrival, "arrive", n), Step(visit.done, "complete", n)]
        order = {"start_route": 0, "complete": 1, "arrive": 2, "ping": 3}
        yield from sorted(found, key=lambda s: (s.at, order[s.kind]))

    def apply(self, factory: UnitOfWorkFactory, step: Step) -> None:
        with factory(BENCH) as uow:
            route = uow.routes.get(self.route_id)
            assert route is not None
            actor = BENCH.actor
            if step.kind == "start_route":
                route.start(at=step.at, actor=actor, unloaded_barcodes=[])
            else:
                assert step.stop is not None
                stop_id = self.visits[step.stop].stop_id
                if step.kind == "arrive":
                    route.arrive(
                        stop_id,
                        at=step.at,
                        actor=actor,
                        position=None,
                        distance_m=None,
                        geofence_radius_m=150.0,
                    )
                else:
                    route.complete(stop_id, at=step.at, actor=actor, method="recipient")
            uow.routes.save(route)
            uow.commit()


def _nearest_first(hub: GeoPoint, points: list[GeoPoint]) -> list[int]:
    left, order, here = set(range(len(points))), [], hub
    while left:
        best = min(
            left, key=lambda i: (points[i].lat - here.lat) ** 2 + (points[i].lon - here.lon) ** 2
        )
        order.append(best)
        left.remove(best)
        here = points[best]
    return order


def _addresses(
    rng: random.Random, rows: Sequence[dict[str, str]], stops: int
) -> list[dict[str, str]]:
    """``stops`` distinct doors nearest a random one: a courier's patch."""
    centre = rng.choice(rows)
    lat, lon = float(centre["lat"]), float(centre["lon"])
    by_distance = sorted(
        rows, key=lambda r: (float(r["lat"]) - lat) ** 2 + ((float(r["lon"]) - lon) * 0.62) ** 2
    )
    chosen, seen = [], set()
    for row in by_distance:
        key = (row["lat"], row["lon"])
        if key not in seen:
            seen.add(key)
            chosen.append(row)
        if len(chosen) == stops:
            break
    return chosen


def build_day(
    rng: random.Random,
    rows: Sequence[dict[str, str]],
    stops: int,
    routing: Routing,
    *,
    hub: GeoPoint,
    kind_of: Callable[[dict[str, str]], AddressType],
) -> BenchDay:
    picked = _addresses(rng, rows, stops)
    points = [GeoPoint(float(r["lat"]), float(r["lon"])) for r in picked]
    order = _nearest_first(hub, points)
    picked, points = [picked[i] for i in order], [points[i] for i in order]
    start = FIRST_START + timedelta(minutes=rng.randrange(0, 450, 15))
    brand, stored_hub, vehicle = factories.brand(), factories.hub(point=hub), factories.vehicle()
    courier = factories.courier(vehicle_id=vehicle.id)
    orders = [
        factories.order(
            brand_id=brand.id,
            window=None,
            address=factories.address(
                lines=(f"{r['housenumber']} {r['street']}".strip() or "A door",),
                postcode=r["postcode"] or "NW1 7AA",
                point=p,
                address_type=kind_of(r),
            ),
        )
        for r, p in zip(picked, points, strict=True)
    ]
    matrix = routing.provider.matrix([hub, *points], VAN, start)
    free = matrix.durations_s * routing.traffic.factor(start, VAN)
    doors = [
        float(
            door_time_s(
                PlanningStop(
                    id=f"s{n}",
                    point=p,
                    parcels=(ParcelLoad("p", 0.0),),
                    address_type=o.address.address_type,
                    area=area_of(o.address.postcode),
                ),
                DoorTimeParams(),
            )
        )
        for n, (p, o) in enumerate(zip(points, orders, strict=True))
    ]
    legs = [float(free[n, n + 1]) for n in range(stops)]
    planned = predict_arrivals(
        Departure(start),
        [RemainingStop(f"s{n}", legs[n], doors[n]) for n in range(stops)],
        now=start,
        traffic=LONDON,
    )
    route_stops = [
        RouteStop(
            id=ids.new_id("stp"),
            sequence=n + 1,
            point=points[n],
            postcode=orders[n].address.postcode,
            address_lines=orders[n].address.lines,
            recipient_first_name="Ada",
            parcel_ids=tuple(p.id for p in orders[n].parcels),
            planned_arrival=planned[n],
        )
        for n in range(stops)
    ]
    route = Route.dispatch(
        id=ids.new_id("rte"),
        plan_id=None,
        hub_id=stored_hub.id,
        route_date=start.date(),
        courier_id=courier.id,
        vehicle_id=vehicle.id,
        stops=route_stops,
        actor=BENCH.actor,
        at=start - timedelta(hours=1),
    )
    route.collect_events()
    visits, pings = _happen(rng, start, [hub, *points], legs, doors, route_stops, planned)
    standing: list[object] = [brand, stored_hub, vehicle, courier]
    return BenchDay(route, list(orders), standing, visits, pings, start)


def _happen(
    rng: random.Random,
    start: datetime,
    points: list[GeoPoint],
    legs: list[float],
    doors: list[float],
    stops: list[RouteStop],
    planned: list[datetime],
) -> tuple[list[Visit], list[Ping]]:
    """The day as it happens: the courier's pace, each leg's and door's luck, pings."""
    pace = rng.lognormvariate(0.0, 0.12)
    clock = start
    visits, pings = [], []
    for n, stop in enumerate(stops):
        drive = legs[n] / LONDON.factor(clock, VAN) * pace * rng.lognormvariate(0.0, 0.25)
        drive_for = timedelta(seconds=max(drive, 20.0))
        a, b = points[n], points[n + 1]
        moment = PING_EVERY
        while moment < drive_for:
            share = moment / drive_for
            lat = a.lat + (b.lat - a.lat) * share
            lon = a.lon + (b.lon - a.lon) * share
            pings.append(Ping(at=clock + moment, lat=lat, lon=lon, accuracy_m=10.0))
            moment += PING_EVERY
        clock += drive_for
        arrival = clock
        door = doors[n] * rng.lognormvariate(0.0, 0.45)
        if rng.random() < 0.1:
            door += rng.uniform(60, 300)
        clock += timedelta(seconds=math.ceil(door))
        visits.append(Visit(stop.id, planned[n], arrival, clock))
    return visits, pings
