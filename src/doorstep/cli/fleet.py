"""``doorstep create-hub`` and ``doorstep import-fleet``: the depot and its vehicles.

An install needs a hub and vehicles before it can plan; these commands call the same use
cases as ``POST /v1/hubs`` and ``POST /v1/vehicles``. The fleet file is the planner's
fleet CSV (docs/planning.md): its vehicle_id becomes the vehicle's name, and its type and
capacities are stored; shifts and costs stay per plan, in the file given to ``plan``.
"""

from __future__ import annotations

from datetime import time
from pathlib import Path
from typing import Annotated

import typer

from doorstep.cli._common import CLI, fail, open_container
from doorstep.domain.errors import DomainError
from doorstep.domain.model import Capacity, GeoPoint
from doorstep.services import fleet
from doorstep.services.errors import ServiceError
from doorstep.services.ports import Conflict
from doorstep.services.sheets.fleet_csv import parse_fleet

CHUNK = 64 * 1024


def _clock(text: str, option: str) -> time:
    try:
        return time.fromisoformat(text)
    except ValueError:
        fail(f"{option}: {text!r} is not a time of day such as 06:00")


def create_hub(
    name: Annotated[str, typer.Argument(help="The hub's name, e.g. 'Camden Hub'.")],
    lat: Annotated[float, typer.Option(help="Latitude of the loading bay (WGS84).")],
    lon: Annotated[float, typer.Option(help="Longitude of the loading bay (WGS84).")],
    address: Annotated[str, typer.Option(help="Postal address, for people.")] = "",
    opens: Annotated[str, typer.Option(help="Opening time, HH:MM (London).")] = "06:00",
    closes: Annotated[str, typer.Option(help="Closing time, HH:MM (London).")] = "22:00",
) -> None:
    """Create a hub (a depot that receives, sorts and loads parcels) and print its id."""
    opening = (_clock(opens, "--opens"), _clock(closes, "--closes"))
    container = open_container()
    try:
        command = fleet.CreateHub(name, GeoPoint(lat, lon), address, *opening)
        hub = fleet.create_hub(container.uow_factory(CLI), command)
    except (DomainError, ServiceError, Conflict, ValueError) as error:
        fail(str(error))
    typer.echo(f"hub: {hub.id}  {hub.name}")


def import_fleet(
    fleet_file: Annotated[
        Path, typer.Argument(metavar="FLEET.csv", help="Fleet CSV (see docs/planning.md).")
    ],
    hub: Annotated[str, typer.Option("--hub", help="The hub id the vehicles are based at.")],
) -> None:
    """Create one vehicle per row of a fleet CSV; nothing is created if any row is wrong."""
    if not fleet_file.is_file():
        fail(f"{fleet_file}: no such file")
    container = open_container()
    with fleet_file.open("rb") as stream:
        today = container.clock.now().date()  # shifts are read but not stored here
        parsed = parse_fleet(iter(lambda: stream.read(CHUNK), b""), today)
    if parsed.errors:
        for error in parsed.errors:
            where = f"row {error.row}" + (f", column {error.column}" if error.column else "")
            typer.echo(f"  {where}: {error.reason}", err=True)
        fail(f"{len(parsed.errors)} problems in {fleet_file}; no vehicle was created")
    try:
        for row in parsed.rows:
            capacity = Capacity(row.capacity_parcels, row.capacity_kg, row.capacity_litres)
            command = fleet.CreateVehicle(row.vehicle_id, row.vehicle_type, capacity, hub)
            vehicle = fleet.create_vehicle(container.uow_factory(CLI), command)
            typer.echo(f"vehicle: {vehicle.id}  {vehicle.name}  ({vehicle.vehicle_type.value})")
    except (DomainError, ServiceError, Conflict) as error:
        fail(str(error))
