"""What a courier or a dispatcher reads of a route: the stops with what is needed at the
door, never an access code (that is revealed one stop at a time, see access_codes.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from doorstep.domain.eta import AnnouncedWindow
from doorstep.domain.model import Hub, Order, Vehicle
from doorstep.domain.parcel import Parcel
from doorstep.domain.proof import DeliveryMethod
from doorstep.domain.route import Route, RouteStop
from doorstep.services.access import require_id
from doorstep.services.errors import NotFound
from doorstep.services.ports import UnitOfWork


@dataclass(frozen=True, slots=True)
class StopView:
    stop: RouteStop
    parcels: list[Parcel]
    orders: list[Order]
    # The ETA of a started route's open stop: the last window its customers were told,
    # and the latest prediction (services/eta); None before the route starts.
    announced_window: AnnouncedWindow | None = None
    predicted_arrival: datetime | None = None

    @property
    def instructions(self) -> str | None:
        notes = [o.address.access_notes for o in self.orders if o.address.access_notes]
        return " / ".join(dict.fromkeys(notes)) or None

    @property
    def has_access_code(self) -> bool:
        return any(o.address.access_code for o in self.orders)

    @property
    def safe_place_preference(self) -> str | None:
        return next((o.safe_place for o in self.orders if o.safe_place), None)

    @property
    def methods(self) -> list[DeliveryMethod]:
        """The methods every order of the stop allows (one hand-over for the door)."""
        allowed = set(DeliveryMethod)
        for order in self.orders:
            allowed &= order.proof_requirements.methods
        return [m for m in DeliveryMethod if m in allowed]

    @property
    def pin_required(self) -> bool:
        return any(o.delivery_pin_hash for o in self.orders)

    @property
    def minimum_age(self) -> int | None:
        ages = [o.minimum_age for o in self.orders if o.minimum_age]
        return max(ages) if ages else None


@dataclass(frozen=True, slots=True)
class RouteView:
    route: Route
    hub: Hub | None
    vehicle: Vehicle | None
    stops: list[StopView]


@dataclass(frozen=True, slots=True)
class _Etas:
    windows: dict[str, AnnouncedWindow]
    predictions: dict[str, datetime]


def _stop_view(
    stop: RouteStop, parcels: dict[str, Parcel], orders: dict[str, Order], etas: _Etas
) -> StopView:
    mine = [parcels[pid] for pid in stop.parcel_ids if pid in parcels]
    order_ids = dict.fromkeys(p.order_id for p in mine)
    return StopView(
        stop=stop,
        parcels=mine,
        orders=[orders[o] for o in order_ids if o in orders],
        announced_window=etas.windows.get(stop.id),
        predicted_arrival=None if stop.state.done else etas.predictions.get(stop.id),
    )


def _etas(uow: UnitOfWork, route: Route) -> _Etas:
    """Two reads for the whole route: every announcement (the last per stop wins) and
    the last recompute's predictions."""
    if route.started_at is None:
        return _Etas({}, {})
    state = uow.eta.state(route.id)
    return _Etas(
        {w.stop_id: w for w in uow.eta.list_for_route(route.id)},
        dict(state.predictions) if state is not None else {},
    )


def _view(uow: UnitOfWork, route: Route) -> RouteView:
    """Parcels and orders read at once for the whole route, not one stop at a time."""
    parcels = uow.parcels.get_many([p for s in route.stops for p in s.parcel_ids])
    orders = uow.orders.get_many([p.order_id for p in parcels.values()])
    etas = _etas(uow, route)
    return RouteView(
        route=route,
        hub=uow.hubs.get(route.hub_id),
        vehicle=uow.vehicles.get(route.vehicle_id),
        stops=[_stop_view(s, parcels, orders, etas) for s in route.stops],
    )


def get_route(uow: UnitOfWork, route_id: str) -> RouteView:
    """A route with its stops; another courier's route is not found."""
    require_id(route_id, "rte", "route")
    with uow.read_only():
        route = uow.routes.get(route_id)
        if route is None:
            raise NotFound("route", route_id)
        return _view(uow, route)


def list_routes(
    uow: UnitOfWork, *, route_date: date | None = None, courier_id: str | None = None
) -> list[Route]:
    """A courier lists only their own routes, whatever ``courier_id`` says."""
    with uow.read_only():
        mine = uow.principal.courier_id if not uow.principal.may_operate_hub() else None
        return uow.routes.find(route_date=route_date, courier_id=mine or courier_id)
