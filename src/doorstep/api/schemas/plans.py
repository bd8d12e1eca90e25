"""Plans: a request to plan a hub's day, and the planning run as a resource."""

from __future__ import annotations

import datetime as dt

from pydantic import ConfigDict, Field

from doorstep.api.schemas.common import Day, Public, Strict, Token
from doorstep.planning.document import PlanDocument
from doorstep.services.plans.use_cases import StoredPlanRequest


class BreakIn(Strict):
    earliest: dt.time = Field(description="Earliest start, London local time (HH:MM).")
    latest: dt.time = Field(description="Latest start, London local time (HH:MM).")
    minutes: int = Field(gt=0, le=240)


DEFAULT_BREAK = BreakIn(earliest=dt.time(12, 0), latest=dt.time(14, 0), minutes=30)


class VehicleShiftIn(Strict):
    """One vehicle's day. Times are London local (HH:MM) on the plan's date."""

    model_config = ConfigDict(populate_by_name=True)

    vehicle_id: Token
    shift_start: dt.time = dt.time(8, 0)
    shift_end: dt.time = dt.time(18, 0)
    break_: BreakIn | None = Field(
        default=DEFAULT_BREAK,
        alias="break",
        description="Omitted: 30 minutes starting 12:00-14:00. null: no break.",
    )
    cost_per_km: float = Field(default=0.5, ge=0)
    cost_per_hour: float = Field(default=15.0, ge=0)


class PlanCreate(Strict):
    """Plan one hub's day. Without ``vehicles``, every vehicle of the hub works 08:00-18:00
    with a 30-minute break starting 12:00-14:00, at 0.50 per km and 15.00 per hour."""

    model_config = ConfigDict(populate_by_name=True)

    hub_id: Token
    plan_date: Day = Field(alias="date", description="The day to plan (ISO 8601 date).")
    depart: dt.time = Field(
        default=dt.time(8, 0), description="When planning starts, London local time (HH:MM)."
    )
    budget_s: int = Field(default=10, description="Solver time, 1 to 300 seconds.")
    network: str = Field(
        default="straight_line",
        max_length=100,
        description='Travel-time back-end: "straight_line" or a packaged road network ("camden").',
    )
    vehicles: list[VehicleShiftIn] | None = Field(default=None, max_length=500)


class PlanProgress(Public):
    elapsed_s: float
    budget_s: int
    fraction: float = Field(description="Elapsed over budget while running; 1 when finished.")


class PlanLinks(Public):
    self: str
    geojson: str


class PlanPublic(Public):
    id: str
    status: str = Field(description="queued, running, succeeded or failed.")
    hub_id: str
    date: dt.date
    network: str
    progress: PlanProgress
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    error: str | None = Field(description="Why the plan failed, in a dispatcher's words.")
    request: StoredPlanRequest = Field(
        description="The request as planned: every vehicle's shift, the parcels chosen."
    )
    links: PlanLinks
    result: PlanDocument | None = Field(
        description="The plan document (routes, totals, unassigned stops with reasons) "
        "once succeeded."
    )
