"""A courier's day made ready in a real store: a plan dispatched, its parcels on the van.

Shared by the service, API and browser tests of the courier's day, so each starts from
the same, realistic point: brand, hub, vehicle, courier with a login, orders with
coordinates (one with a door code), a solved plan dispatched to the courier, and every
parcel received, sorted and loaded.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from doorstep.domain import ids
from doorstep.domain.access import Principal
from doorstep.domain.model import GeoPoint, Role
from doorstep.domain.parcel import ParcelAction
from doorstep.domain.route import Route, RouteStop
from doorstep.services import routes
from doorstep.services.ports import PlanRecord, PlanStatus, UnitOfWork, User
from tests import factories, images

SYSTEM = Principal.system("tests")
DOORS = [  # Camden doors, a few hundred metres apart
    GeoPoint(51.5390, -0.1426),
    GeoPoint(51.5412, -0.1460),
    GeoPoint(51.5436, -0.1390),
    GeoPoint(51.5455, -0.1432),
    GeoPoint(51.5470, -0.1470),
]


@dataclass
class CourierDay:
    route_id: str
    stop_ids: list[str]
    courier_id: str
    courier_principal: Principal
    brand_id: str
    hub_id: str
    vehicle_id: str
    order_ids: list[str]
    barcodes: list[list[str]]
    access_code: str = "4721#"
    email: str = ""
    plan_id: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


class _FixedClock:
    def __init__(self, now: datetime) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current


def dispatched_day(
    uow_factory: Callable[[Principal], UnitOfWork],
    *,
    stops: int = 3,
    start: datetime = factories.MORNING,
    password_hash: str = "unused",
    order_overrides: dict[int, dict[str, Any]] | None = None,
    loaded_stops: int | None = None,
    hub_id: str | None = None,
    vehicle_name: str = "LK71 ABC",
    dispatch: bool = True,
    doors: Sequence[GeoPoint] = DOORS,
) -> CourierDay:
    """Store a day and dispatch it; the courier's user logs in with ``password_hash``.

    The parcels of the first ``loaded_stops`` stops (all when None) are received, sorted
    and loaded; the others are only received at the hub. With ``hub_id`` the day is a
    second route from that stored hub (another brand, vehicle and courier). Without
    ``dispatch`` the solved plan is left for the test to dispatch (no route, no loading).
    """
    brand = factories.brand()
    existing = None
    if hub_id is not None:
        with uow_factory(SYSTEM) as uow:
            existing = uow.hubs.get(hub_id)
        assert existing is not None
    hub = existing or factories.hub()
    vehicle = factories.vehicle(name=vehicle_name)
    courier = factories.courier(vehicle_id=vehicle.id)
    orders = []
    for n in range(stops):
        address = factories.address(
            lines=(f"{10 + n} Example Road",),
            postcode="NW1 7AA",
            point=doors[n % len(doors)],
            access_notes="Blue door, ring twice" if n == 0 else None,
            access_code="4721#" if n == 0 else None,
        )
        overrides = (order_overrides or {}).get(n, {})
        orders.append(factories.order(brand_id=brand.id, address=address, **overrides))
    email = f"courier-{ids.new_id('usr')[4:].lower()}@example.com"
    user = User(
        id=ids.new_id("usr"),
        email=email,
        name=courier.name,
        role=Role.COURIER,
        password_hash=password_hash,
        courier_id=courier.id,
    )
    plan = PlanRecord(
        id=ids.new_id("pln"),
        hub_id=hub.id,
        plan_date=start.date(),
        status=PlanStatus.SUCCEEDED,
        request={},
        budget_s=1,
        network="straight_line",
        created_at=start - timedelta(hours=2),
        created_by="system:tests",
        result=factories.plan_result(hub, vehicle, orders, start=start),
    )
    with uow_factory(SYSTEM) as uow:
        uow.brands.add(brand)
        if existing is None:
            uow.hubs.add(hub)
        uow.vehicles.add(vehicle)
        uow.couriers.add(courier)
        uow.users.add(user)
        uow.orders.add_all(orders)
        uow.plans.add(plan)
        uow.commit()
    if not dispatch:
        return CourierDay(
            route_id="",
            stop_ids=[],
            courier_id=courier.id,
            courier_principal=Principal.user(user.id, Role.COURIER, courier.id),
            brand_id=brand.id,
            hub_id=hub.id,
            vehicle_id=vehicle.id,
            order_ids=[o.id for o in orders],
            barcodes=[[p.barcode for p in o.parcels] for o in orders],
            email=email,
            plan_id=plan.id,
        )
    made = routes.dispatch_plan(
        uow_factory(SYSTEM),
        routes.DispatchPlan(plan.id, [routes.RouteAssignment(0, courier.id)]),
        clock=_FixedClock(start - timedelta(hours=1)),
    )
    route = made[0]
    at = start - timedelta(minutes=50)
    loaded = stops if loaded_stops is None else loaded_stops
    with uow_factory(SYSTEM) as uow:
        for n, order in enumerate(orders):
            for parcel in order.parcels:
                stored = uow.parcels.get(parcel.id)
                assert stored is not None
                stored.apply(ParcelAction.RECEIVE, actor="system:tests", at=at, place=hub.id)
                if n < loaded:
                    stored.apply(ParcelAction.SORT, actor="system:tests", at=at, bay="A1")
                    stored.apply(
                        ParcelAction.LOAD, actor="system:tests", at=at, vehicle_id=vehicle.id
                    )
                uow.parcels.save(stored)
        uow.commit()
    return CourierDay(
        route_id=route.id,
        stop_ids=[s.id for s in route.stops],
        courier_id=courier.id,
        courier_principal=Principal.user(user.id, Role.COURIER, courier.id),
        brand_id=brand.id,
        hub_id=hub.id,
        vehicle_id=vehicle.id,
        order_ids=[o.id for o in orders],
        barcodes=[[p.barcode for p in o.parcels] for o in orders],
        email=email,
        plan_id=plan.id,
    )


def started_route(courier_id: str, *, at: datetime = factories.MORNING) -> tuple[list[Any], Route]:
    """What a courier needs to be on duty: standing data, one order and a started route of
    theirs. Returns the objects to store first, then the route."""
    brand = factories.brand()
    hub = factories.hub()
    vehicle = factories.vehicle()
    order = factories.order(brand_id=brand.id)
    point = order.address.point or hub.point
    stop = RouteStop(
        id=ids.new_id("stp"),
        sequence=1,
        point=point,
        postcode=order.address.postcode,
        address_lines=order.address.lines,
        recipient_first_name="Ada",
        parcel_ids=tuple(p.id for p in order.parcels),
        planned_arrival=at,
    )
    route = Route.dispatch(
        id=ids.new_id("rte"),
        plan_id=None,
        hub_id=hub.id,
        route_date=at.date(),
        courier_id=courier_id,
        vehicle_id=vehicle.id,
        stops=[stop],
        actor="system:tests",
        at=at,
    )
    route.start(at=at, actor="system:tests", unloaded_barcodes=[])
    return [brand, hub, vehicle, order], route


def put_on_duty(
    uow_factory: Callable[[Principal], UnitOfWork],
    courier_id: str,
    *,
    at: datetime = factories.MORNING,
) -> str:
    """Store a started route for ``courier_id`` (who must exist); returns the route's id."""
    (brand, hub, vehicle, order), route = started_route(courier_id, at=at)
    with uow_factory(SYSTEM) as uow:
        uow.brands.add(brand)
        uow.hubs.add(hub)
        uow.vehicles.add(vehicle)
        uow.orders.add(order)
        uow.routes.add(route)
        uow.commit()
    return route.id


class StopFate:
    """What the courier did at a stop in :func:`offline_queue`: every tenth stop fails (3)
    or is skipped (7), the rest are delivered (:meth:`method` says how)."""

    COMPLETED = "completed"
    FAILED = "failed"
    SKIPPED = "skipped"

    @staticmethod
    def of(n: int) -> str:
        return {3: StopFate.FAILED, 7: StopFate.SKIPPED}.get(n % 10, StopFate.COMPLETED)

    @staticmethod
    def method(n: int) -> str:
        """How a delivered stop's parcels were handed over: left in a safe place (1, 6) or
        through the letterbox (5), each with a photo; otherwise to the recipient, who
        signed."""
        return {1: "safe_place", 5: "letterbox", 6: "safe_place"}.get(n % 10, "recipient")


@dataclass(frozen=True, slots=True)
class ProofFile:
    """A file taken at the door, as the phone keeps it until it is uploaded."""

    data: bytes
    content_type: str

    @property
    def sha256(self) -> str:
        return images.sha256(self.data)


def door_files(stops: int, *, seed: int) -> dict[int, ProofFile]:
    """The file each delivered stop's proof names, by stop: the recipient's signature (a
    PNG) or a photo of where the parcel was left (a JPEG with EXIF, as a phone takes it).
    ``seed`` makes the bytes, so the names, distinct from other days'."""
    files = {}
    for n in range(stops):
        if StopFate.of(n) != StopFate.COMPLETED:
            continue
        if StopFate.method(n) == "recipient":
            signature = images.photo((300, 100), gps=False, kind="PNG", seed=seed * 1000 + n)
            files[n] = ProofFile(signature, "image/png")
        else:
            files[n] = ProofFile(images.photo((800, 600), seed=seed * 1000 + n), "image/jpeg")
    return files


def _at_door(stop: int) -> dict[str, float]:
    door = DOORS[stop % len(DOORS)]
    return {"lat": door.lat, "lon": door.lon, "accuracy_m": 9.0}


def offline_queue(
    day: CourierDay, *, files: Mapping[int, ProofFile], first: datetime, prefix: str = "a"
) -> list[dict[str, Any]]:
    """The queue a phone builds on a day worked offline, as the app sends it over HTTP.

    Start, then at every stop an arrival and a completion, failure or skip
    (:class:`StopFate`), then finish: ``2 * stops + 2`` actions a minute apart from
    ``first``. A completion names its stop's file in ``files`` (:func:`door_files`) by
    SHA-256: a blob the server must have received before it applies the action.
    """
    minute = iter(range(10_000))

    def action(kind: str, stop: int | None = None, **data: Any) -> dict[str, Any]:
        n = next(minute)
        return {
            "client_event_id": f"{prefix}-{n:04d}-{kind}",
            "device_time": (first + timedelta(minutes=n)).isoformat(),
            "type": kind,
            "route_id": day.route_id,
            "stop_id": None if stop is None else day.stop_ids[stop],
            "position": None if stop is None else _at_door(stop),
            "data": data,
        }

    queue = [action("start_route")]
    for n in range(len(day.stop_ids)):
        queue.append(action("arrive", n))
        fate = StopFate.of(n)
        if fate == StopFate.COMPLETED:
            queue.append(action("complete", n, **_handed_over(n, files[n].sha256, day.barcodes[n])))
        elif fate == StopFate.FAILED:
            queue.append(action("fail", n, reason="recipient_not_home", note="No answer"))
        else:
            queue.append(action("skip", n, note="Road closed"))
    queue.append(action("finish_route"))
    return queue


def _handed_over(n: int, sha256: str, barcodes: list[str]) -> dict[str, Any]:
    """A completion's ``data``: signed by the recipient, or photographed where it was left."""
    method = StopFate.method(n)
    data: dict[str, Any] = {"method": method, "scanned_barcodes": barcodes}
    if method == "recipient":
        return data | {"recipient_name": "Ada", "signature": sha256}
    if method == "safe_place":
        data["safe_place"] = "Behind the blue bin"
    return data | {"photos": [sha256]}


def files_named(action: Mapping[str, Any]) -> list[str]:
    """The SHA-256 of the files a queued action names (its signature and photos)."""
    data = action.get("data") or {}
    signature = data.get("signature")
    return [*([signature] if signature else []), *(data.get("photos") or [])]
