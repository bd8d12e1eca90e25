"""Dispatched routes, courier actions and access-code reveals, as the API speaks them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from doorstep.api.schemas.common import (
    Day,
    Latitude,
    Longitude,
    Moment,
    Public,
    Strict,
    Text,
    Token,
)
from doorstep.api.schemas.orders import WindowPublic
from doorstep.services.routes.courier_actions import MAX_ACTIONS_PER_BATCH

ClientEventId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:\-]{1,64}$")]


class RouteAssignmentIn(Strict):
    route_index: int = Field(ge=0, le=10_000, description="The route's place in the plan.")
    courier_id: Text
    vehicle_id: Text | None = Field(default=None, description="Default: the plan's vehicle.")


class DispatchIn(Strict):
    routes: list[RouteAssignmentIn] = Field(min_length=1, max_length=500)


class PositionIn(Strict):
    lat: Latitude
    lon: Longitude
    accuracy_m: float | None = Field(default=None, ge=0, le=100_000)


class CourierActionBody(Strict):
    client_event_id: ClientEventId
    device_time: Moment
    type: Literal["start_route", "arrive", "complete", "fail", "skip", "finish_route"]
    route_id: Text
    stop_id: Text | None = None
    position: PositionIn | None = None
    data: dict[str, Any] = Field(default_factory=dict)


class CourierActionsIn(Strict):
    actions: list[CourierActionBody] = Field(min_length=1, max_length=MAX_ACTIONS_PER_BATCH)


class ActionResultPublic(Public):
    client_event_id: str
    status: Literal["applied", "duplicate", "refused", "retry"]
    message: str | None
    route_version: int | None


class CourierActionsResult(Public):
    results: list[ActionResultPublic]


class AccessCodeIn(Strict):
    position: PositionIn | None = None
    override_reason: str | None = Field(default=None, max_length=300)


class AccessCodePublic(Public):
    code: str


class HubRef(Public):
    id: str
    name: str
    lat: float
    lon: float


class ProofNeeds(Public):
    methods: list[str]
    pin_required: bool
    minimum_age: int | None


class StopParcel(Public):
    id: str
    barcode: str
    order_id: str
    reference: str
    state: str


class AnnouncedWindowPublic(Public):
    kind: Literal["day", "approaching", "next"] = Field(
        description="day: 1 h at route start; approaching: 30 min, three stops away; next: 15 min."
    )
    start: datetime
    end: datetime
    announced_at: datetime


class StopPublic(Public):
    id: str
    sequence: int
    state: str
    lat: float
    lon: float
    postcode: str
    address_lines: list[str]
    flat: str | None = None
    floor: str | None = None
    recipient_first_name: str
    instructions: str | None
    has_access_code: bool
    window: WindowPublic | None
    planned_arrival: datetime
    arrived_at: datetime | None
    geofence_mismatch: bool
    done_at: datetime | None
    note: str | None
    safe_place_preference: str | None
    proof: ProofNeeds
    parcels: list[StopParcel]
    predicted_arrival: datetime | None = Field(
        default=None,
        description="The latest predicted arrival at a started route's open stop (docs/eta.md).",
    )
    announced_window: AnnouncedWindowPublic | None = Field(
        default=None, description="The last window the stop's customers were told."
    )


class RoutePublic(Public):
    id: str
    plan_id: str | None
    hub: HubRef | None
    date: Day
    courier_id: str
    vehicle_id: str
    vehicle_name: str | None
    state: str
    version: int
    started_at: datetime | None
    finished_at: datetime | None
    stops: list[StopPublic]


class RouteSummaryPublic(Public):
    id: str
    plan_id: str | None
    date: Day
    courier_id: str
    vehicle_id: str
    state: str
    version: int
    stops: int
    stops_done: int


class RemoveStopIn(Strict):
    reason: Text = Field(description="Why the stop comes off; kept in the event and audit log.")


class ReorderIn(Strict):
    stop_ids: list[Token] = Field(
        min_length=1, max_length=1000, description="Every stop not yet done, in the new order."
    )


class MoveStopIn(Strict):
    to_route_id: Token = Field(description="A route of the same hub and day.")


class ReassignIn(Strict):
    courier_id: Token = Field(description="A courier with no other unfinished route that day.")


class RouteEditPublic(Public):
    """The edited route, and what the hub must do about its parcels."""

    route: RoutePublic
    message: str
    unload: list[str] = Field(description="Barcodes to take off the route's van at the hub.")
    to_route: RoutePublic | None = None
    new_stop_id: str | None = None
