"""``/console/fleet``: couriers and vehicles. Admins and dispatchers list and add them (the
rule is ``services.fleet``'s, as for ``/v1/couriers``); a courier's login is a user, which
only an admin may add (``services.accounts.create_user`` says so)."""

from __future__ import annotations

from typing import Final

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from doorstep.domain.access import Principal
from doorstep.domain.model import Capacity, Role, VehicleType
from doorstep.services import accounts, fleet
from doorstep.web.console import render
from doorstep.web.console.admin import Refused, attempt, number, optional, text
from doorstep.web.console.session import ConsoleUser, checked_form, container_of

router = APIRouter()
PATH: Final = "/console/fleet"
DONE: Final = {
    "vehicle": "Vehicle added.",
    "courier": "Courier added.",
    "courier-login": "Courier added, with a login for the courier app.",
}
VEHICLE_TYPES: Final = [(t.value, t.value.replace("_", " ").capitalize()) for t in VehicleType]


async def _page(
    request: Request,
    user: Principal,
    *,
    status_code: int = 200,
    error: str | None = None,
    notice: str | None = None,
) -> Response:
    uow = container_of(request).uow_factory
    vehicles = await attempt(lambda: fleet.list_vehicles(uow(user)))
    couriers = await attempt(lambda: fleet.list_couriers(uow(user)))
    hubs = await attempt(lambda: fleet.list_hubs(uow(user)))
    return render.page(
        request,
        "console/fleet.html",
        user=user,
        section="fleet",
        status_code=status_code,
        vehicles=vehicles,
        couriers=couriers,
        hubs=hubs,
        vehicle_names={v.id: v.name for v in vehicles},
        hub_names={h.id: h.name for h in hubs},
        vehicle_types=VEHICLE_TYPES,
        error=error,
        notice=notice,
    )


@router.get(PATH)
async def fleet_page(request: Request, user: ConsoleUser, done: str | None = None) -> Response:
    """Couriers and vehicles, and the forms to add them."""
    return await _page(request, user, notice=DONE.get(done or ""))


@router.post(PATH + "/vehicles")
async def add_vehicle(request: Request, user: ConsoleUser) -> Response:
    form = await checked_form(request)
    container = container_of(request)
    try:
        kind = text(form, "vehicle_type")
        if kind not in {t.value for t in VehicleType}:
            raise Refused(422, "The vehicle type: choose one from the list.")
        capacity = Capacity(
            int(number(form, "parcels", "Parcels", whole=True)),
            number(form, "weight_kg", "Weight"),
            number(form, "volume_litres", "Volume"),
        )
        cmd = fleet.CreateVehicle(
            text(form, "name"), VehicleType(kind), capacity, optional(form, "hub_id")
        )
        await attempt(
            lambda: fleet.create_vehicle(container.uow_factory(user), cmd, clock=container.clock)
        )
    except Refused as refused:
        return await _page(request, user, status_code=refused.status, error=refused.message)
    return RedirectResponse(f"{PATH}?done=vehicle", status_code=303)


@router.post(PATH + "/couriers")
async def add_courier(request: Request, user: ConsoleUser) -> Response:
    """A courier, and (admins) the login they use in the courier app."""
    form = await checked_form(request)
    container = container_of(request)
    uow = container.uow_factory
    cmd = fleet.CreateCourier(
        text(form, "name"), optional(form, "phone"), optional(form, "vehicle_id")
    )
    try:
        courier = await attempt(lambda: fleet.create_courier(uow(user), cmd, clock=container.clock))
    except Refused as refused:
        return await _page(request, user, status_code=refused.status, error=refused.message)
    email = text(form, "email")
    if not email:
        return RedirectResponse(f"{PATH}?done=courier", status_code=303)
    try:
        await attempt(
            lambda: accounts.create_user(
                uow(user),
                email=email,
                name=courier.name,
                role=Role.COURIER,
                password=text(form, "password"),
                hasher=container.passwords,
                courier_id=courier.id,
                clock=container.clock,
            )
        )
    except Refused as refused:
        message = f"Courier {courier.name} added, but not their login: {refused.message}"
        return await _page(request, user, status_code=refused.status, error=message)
    return RedirectResponse(f"{PATH}?done=courier-login", status_code=303)
