"""``/v1/plans``: ask for a day's plan (solved by a background job), then read it.

``POST`` answers 202 at once with the queued plan; the job is enqueued only after the
request's transaction has committed, so the worker always finds the plan. ``GET`` shows
progress (time since the solve started over its budget) and, once succeeded, the plan
document; ``Accept: application/geo+json`` (or ``/geojson``) gives it as a map layer,
409 ``plan_not_ready`` until then.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from doorstep.api import present
from doorstep.api.deps import Idempotency, OperatorPrincipal, Services
from doorstep.api.problems import Problem, problem
from doorstep.api.schemas.plans import PlanCreate, PlanPublic
from doorstep.planning.document import PlanDocument
from doorstep.planning.export import geojson
from doorstep.services import plans
from doorstep.services.idempotency import BeforeCommit, SavedResponse
from doorstep.services.plans.use_cases import BreakSpec, RequestPlan, VehicleShift
from doorstep.services.ports import PlanRecord, PlanStatus

router = APIRouter(prefix="/plans", tags=["plans"])
API_BASE = "/v1"
GEOJSON = "application/geo+json"
ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": Problem} for code in (401, 403, 404, 422)
}
log = logging.getLogger("doorstep.api")


def to_command(body: PlanCreate) -> RequestPlan:
    vehicles = None
    if body.vehicles is not None:
        vehicles = tuple(
            VehicleShift(
                vehicle_id=v.vehicle_id,
                shift_start=v.shift_start,
                shift_end=v.shift_end,
                break_=None
                if v.break_ is None
                else BreakSpec(v.break_.earliest, v.break_.latest, v.break_.minutes),
                cost_per_km=v.cost_per_km,
                cost_per_hour=v.cost_per_hour,
            )
            for v in body.vehicles
        )
    return RequestPlan(
        hub_id=body.hub_id,
        plan_date=body.plan_date,
        depart=body.depart,
        budget_s=body.budget_s,
        network=body.network,
        vehicles=vehicles,
    )


@router.post("", status_code=202, response_model=PlanPublic, responses=ERRORS)
def create_plan(
    body: PlanCreate, principal: OperatorPrincipal, services: Services, call: Idempotency
) -> object:
    """Queue a plan of one hub's day; poll the returned resource until it is finished."""
    cmd = to_command(body)
    committed: list[PlanRecord] = []

    def action(hook: BeforeCommit[PlanRecord] | None) -> PlanRecord:
        made = plans.request_plan(
            services.uow_factory(principal), cmd, services.clock, before_commit=hook
        )
        committed.append(made)  # only reached after commit; a replay never gets here
        return made

    def render(made: PlanRecord) -> SavedResponse:
        public = present.plan(made, services.clock.now(), API_BASE)
        headers = {"Location": public.links.self}
        return SavedResponse(202, public.model_dump_json().encode(), headers=headers)

    response = call.run(action, render)
    for made in committed:
        try:
            services.enqueue_plan(made.id)
        except Exception:  # the plan is stored: a restarted worker resumes it
            log.exception("plan %s stored but not enqueued", made.id)
    return response


_BOTH_MEDIA: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The plan; with `Accept: application/geo+json`, its GeoJSON.",
        "content": {GEOJSON: {"schema": {"type": "object", "title": "FeatureCollection"}}},
    },
    409: {"model": Problem, "description": "GeoJSON asked for before the plan succeeded."},
}


@router.get("/{plan_id}", response_model=PlanPublic, responses={**ERRORS, **_BOTH_MEDIA})
def get_plan(
    plan_id: str, request: Request, principal: OperatorPrincipal, services: Services
) -> object:
    """The plan with its progress, and its document once succeeded."""
    found = plans.get_plan(services.uow_factory(principal), plan_id)
    if GEOJSON in request.headers.get("accept", ""):
        return _geojson(found)
    return present.plan(found, services.clock.now(), API_BASE)


@router.get(
    "/{plan_id}/geojson",
    responses={**ERRORS, **_BOTH_MEDIA},
    response_class=JSONResponse,
)
def get_plan_geojson(plan_id: str, principal: OperatorPrincipal, services: Services) -> object:
    """The succeeded plan as a GeoJSON FeatureCollection: hubs, routes, stops, leftovers."""
    return _geojson(plans.get_plan(services.uow_factory(principal), plan_id))


def _geojson(found: PlanRecord) -> JSONResponse:
    if found.status is not PlanStatus.SUCCEEDED or found.result is None:
        detail = f"The plan is {found.status.value}; GeoJSON exists once it has succeeded."
        if found.error:
            detail += f" {found.error}"
        return problem(409, "plan_not_ready", detail, plan_status=found.status.value)
    return JSONResponse(geojson(PlanDocument.model_validate(found.result)), media_type=GEOJSON)
