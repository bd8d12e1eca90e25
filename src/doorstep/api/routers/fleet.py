"""``/v1/vehicles`` and ``/v1/couriers``: the delivery company's fleet (operators only)."""

from __future__ import annotations

from fastapi import APIRouter

from doorstep.api import present
from doorstep.api.deps import Idempotency, OperatorPrincipal, Services, json_saved
from doorstep.api.problems import Problem
from doorstep.api.schemas.common import Items
from doorstep.api.schemas.fleet import CourierCreate, CourierPublic, VehicleCreate, VehiclePublic
from doorstep.domain.model import Capacity, Courier, Vehicle
from doorstep.services import fleet
from doorstep.services.fleet import CreateCourier, CreateVehicle
from doorstep.services.idempotency import BeforeCommit

router = APIRouter(tags=["fleet"])
ERRORS: dict[int | str, dict[str, object]] = {code: {"model": Problem} for code in (401, 403, 422)}


@router.get("/vehicles", response_model=Items[VehiclePublic], responses=ERRORS)
def list_vehicles(principal: OperatorPrincipal, services: Services) -> Items[VehiclePublic]:
    found = fleet.list_vehicles(services.uow_factory(principal))
    return Items[VehiclePublic](items=[present.vehicle(v) for v in found])


@router.post("/vehicles", status_code=201, response_model=VehiclePublic, responses=ERRORS)
def create_vehicle(
    body: VehicleCreate, principal: OperatorPrincipal, services: Services, call: Idempotency
) -> object:
    cap = body.capacity
    cmd = CreateVehicle(
        name=body.name,
        vehicle_type=body.vehicle_type,
        capacity=Capacity(cap.parcels, cap.weight_kg, cap.volume_litres),
        hub_id=body.hub_id,
    )

    def action(hook: BeforeCommit[Vehicle] | None) -> Vehicle:
        return fleet.create_vehicle(
            services.uow_factory(principal), cmd, before_commit=hook, clock=services.clock
        )

    return call.run(action, lambda made: json_saved(201, present.vehicle(made)))


@router.get("/couriers", response_model=Items[CourierPublic], responses=ERRORS)
def list_couriers(principal: OperatorPrincipal, services: Services) -> Items[CourierPublic]:
    found = fleet.list_couriers(services.uow_factory(principal))
    return Items[CourierPublic](items=[present.courier(c) for c in found])


@router.post("/couriers", status_code=201, response_model=CourierPublic, responses=ERRORS)
def create_courier(
    body: CourierCreate, principal: OperatorPrincipal, services: Services, call: Idempotency
) -> object:
    cmd = CreateCourier(name=body.name, phone=body.phone, vehicle_id=body.vehicle_id)

    def action(hook: BeforeCommit[Courier] | None) -> Courier:
        return fleet.create_courier(
            services.uow_factory(principal), cmd, before_commit=hook, clock=services.clock
        )

    return call.run(action, lambda made: json_saved(201, present.courier(made)))
