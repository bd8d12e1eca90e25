"""Hubs, vehicles and couriers: the delivery company's own resources (operators only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from doorstep.domain import ids
from doorstep.domain.errors import InvalidValue
from doorstep.domain.model import (
    Capacity,
    Courier,
    GeoPoint,
    Hub,
    OpeningHours,
    Vehicle,
    VehicleType,
)
from doorstep.services.access import require_hub_operator, require_reference
from doorstep.services.audit import record_if
from doorstep.services.idempotency import BeforeCommit, commit_with
from doorstep.services.ports import Clock, UnitOfWork


@dataclass(frozen=True, slots=True)
class CreateHub:
    name: str
    point: GeoPoint
    address: str
    opens: time
    closes: time


@dataclass(frozen=True, slots=True)
class CreateVehicle:
    name: str
    vehicle_type: VehicleType
    capacity: Capacity
    hub_id: str | None = None


@dataclass(frozen=True, slots=True)
class CreateCourier:
    name: str
    phone: str | None = None
    vehicle_id: str | None = None


def _required(name: str, field: str) -> str:
    if not name.strip():
        raise InvalidValue(field, "must not be empty")
    return name.strip()


def create_hub(
    uow: UnitOfWork, cmd: CreateHub, *, before_commit: BeforeCommit[Hub] | None = None
) -> Hub:
    require_hub_operator(uow.principal)
    hub = Hub(
        id=ids.new_id("hub"),
        name=_required(cmd.name, "name"),
        point=cmd.point,
        address=cmd.address,
        opening_hours=OpeningHours(cmd.opens, cmd.closes),
    )
    with uow:
        uow.hubs.add(hub)
        commit_with(uow, hub, before_commit)
    return hub


def list_hubs(uow: UnitOfWork) -> list[Hub]:
    require_hub_operator(uow.principal)
    with uow.read_only():
        return uow.hubs.list()


def create_vehicle(
    uow: UnitOfWork,
    cmd: CreateVehicle,
    *,
    before_commit: BeforeCommit[Vehicle] | None = None,
    clock: Clock | None = None,
) -> Vehicle:
    """A new vehicle; audited when ``clock`` is given (the API and the console give it)."""
    require_hub_operator(uow.principal)
    vehicle = Vehicle(
        id=ids.new_id("veh"),
        name=_required(cmd.name, "name"),
        vehicle_type=cmd.vehicle_type,
        capacity=cmd.capacity,
        hub_id=cmd.hub_id,
    )
    with uow:
        require_reference(cmd.hub_id, "hub", uow.hubs.get, "hub_id", "hub")
        uow.vehicles.add(vehicle)
        record_if(uow, clock, "vehicle.created", vehicle.id, name=vehicle.name)
        commit_with(uow, vehicle, before_commit)
    return vehicle


def list_vehicles(uow: UnitOfWork) -> list[Vehicle]:
    require_hub_operator(uow.principal)
    with uow.read_only():
        return uow.vehicles.list()


def create_courier(
    uow: UnitOfWork,
    cmd: CreateCourier,
    *,
    before_commit: BeforeCommit[Courier] | None = None,
    clock: Clock | None = None,
) -> Courier:
    """A new courier; audited when ``clock`` is given (the API and the console give it)."""
    require_hub_operator(uow.principal)
    courier = Courier(
        id=ids.new_id("cou"),
        name=_required(cmd.name, "name"),
        phone=cmd.phone,
        vehicle_id=cmd.vehicle_id,
    )
    with uow:
        require_reference(cmd.vehicle_id, "veh", uow.vehicles.get, "vehicle_id", "vehicle")
        uow.couriers.add(courier)
        record_if(uow, clock, "courier.created", courier.id, name=courier.name)
        commit_with(uow, courier, before_commit)
    return courier


def list_couriers(uow: UnitOfWork) -> list[Courier]:
    require_hub_operator(uow.principal)
    with uow.read_only():
        return uow.couriers.list()
