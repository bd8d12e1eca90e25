"""``/v1/hubs``: hubs, the scans made in them, and the exceptions those scans raised."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from doorstep.api import present
from doorstep.api.deps import Idempotency, OperatorPrincipal, Services, json_saved
from doorstep.api.problems import Problem, problem
from doorstep.api.schemas.common import Items
from doorstep.api.schemas.fleet import HubCreate, HubPublic
from doorstep.api.schemas.scans import ScanCreate, ScanPublic
from doorstep.domain.model import GeoPoint, Hub
from doorstep.domain.scan import ScanOutcome, ScanTarget
from doorstep.services import fleet, scans
from doorstep.services.fleet import CreateHub
from doorstep.services.idempotency import BeforeCommit, SavedResponse
from doorstep.services.scans import RecordScan, ScanResult

router = APIRouter(prefix="/hubs", tags=["hubs"])
ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": Problem} for code in (401, 403, 404, 422)
}


@router.get("", response_model=Items[HubPublic], responses=ERRORS)
def list_hubs(principal: OperatorPrincipal, services: Services) -> Items[HubPublic]:
    found = fleet.list_hubs(services.uow_factory(principal))
    return Items[HubPublic](items=[present.hub(h) for h in found])


@router.post("", status_code=201, response_model=HubPublic, responses=ERRORS)
def create_hub(
    body: HubCreate, principal: OperatorPrincipal, services: Services, call: Idempotency
) -> object:
    cmd = CreateHub(
        name=body.name,
        point=GeoPoint(body.lat, body.lon),
        address=body.address,
        opens=body.opens,
        closes=body.closes,
    )

    def action(hook: BeforeCommit[Hub] | None) -> Hub:
        return fleet.create_hub(services.uow_factory(principal), cmd, before_commit=hook)

    return call.run(action, lambda hub: json_saved(201, present.hub(hub)))


def render_scan(result: ScanResult) -> SavedResponse:
    """201 accepted, 202 unknown barcode (an exception to resolve), 409 refused or wrong hub."""
    scan = result.scan
    if scan.outcome is ScanOutcome.REFUSED:
        leg = result.route
        on_route: dict[str, Any] = (
            {} if leg is None else {"route_id": leg.route_id, "vehicle_id": leg.vehicle_id}
        )
        answer = problem(
            409,
            "scan_refused",
            scan.message,
            scan_id=scan.id,
            barcode=scan.barcode,
            current_state=scan.parcel_state,
            allowed_actions=result.allowed_actions,
            **on_route,
        )
        return SavedResponse(409, bytes(answer.body), "application/problem+json")
    if scan.outcome is ScanOutcome.WRONG_HUB:
        answer = problem(409, "wrong_hub", scan.message, scan_id=scan.id, barcode=scan.barcode)
        return SavedResponse(409, bytes(answer.body), "application/problem+json")
    status = 202 if scan.outcome is ScanOutcome.UNKNOWN_BARCODE else 201
    return json_saved(status, present.scan(scan, result.route))


@router.post(
    "/{hub_id}/scans",
    status_code=201,
    response_model=ScanPublic,
    responses={**ERRORS, 202: {"model": ScanPublic}, 409: {"model": Problem}},
)
def record_scan(
    hub_id: str,
    body: ScanCreate,
    principal: OperatorPrincipal,
    services: Services,
    call: Idempotency,
) -> object:
    """Record a receive, sort, load or unload scan; a repeated ``client_event_id`` replays,
    and the same ``client_event_id`` with a different scan is refused (422)."""
    target = body.target
    cmd = RecordScan(
        hub_id=hub_id,
        client_event_id=body.client_event_id,
        barcode=body.barcode,
        kind=body.kind,
        scanned_at=body.scanned_at,
        target=ScanTarget(target.bay, target.route_id, target.vehicle_id)
        if target
        else ScanTarget(),
    )

    def action(hook: BeforeCommit[ScanResult] | None) -> ScanResult:
        return scans.record_hub_scan(
            services.uow_factory(principal), cmd, clock=services.clock, before_commit=hook
        )

    return call.run(action, render_scan)


@router.get("/{hub_id}/exceptions", response_model=Items[ScanPublic], responses=ERRORS)
def list_exceptions(
    hub_id: str,
    principal: OperatorPrincipal,
    services: Services,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Items[ScanPublic]:
    """Scans someone must look at: unknown barcodes and refusals, newest first."""
    found = scans.list_exceptions(services.uow_factory(principal), hub_id, limit=limit)
    return Items[ScanPublic](items=[present.scan(s) for s in found])
