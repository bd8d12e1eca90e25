"""``/console/hub``: the scan station, for a USB barcode scanner at a hub's bench.

The scanner types the barcode and presses Enter into the focused input; ``hub.js`` queues
each scan with an id of its own and posts them one at a time, in order, to
``/console/hub/scans``, which records it through the one scan use case
(services/scans.py): a repeat of an id (a lost answer, sent again) replays the stored answer,
so at two scans a second nothing is lost and nothing counted twice. Each answer is one large
line: the bay and load position, what the policy decided for a parcel back from a failed
attempt, or a refusal in red.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Final

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from doorstep.domain.errors import DomainError
from doorstep.domain.scan import ScanKind, ScanOutcome, ScanTarget
from doorstep.domain.text import has_control
from doorstep.services import fleet, scans
from doorstep.services.errors import ServiceError
from doorstep.services.scans import RecordScan, ScanResult
from doorstep.web.console import render
from doorstep.web.console.session import ConsoleUser, checked_csrf, container_of

router = APIRouter()
PATH: Final = "/console/hub"
SCANS_PATH: Final = "/console/hub/scans"
MAX_BODY: Final = 2048


@dataclass(frozen=True, slots=True)
class _Scan:
    hub_id: str
    kind: ScanKind
    barcode: str
    client_event_id: str
    vehicle_id: str | None
    bay: str | None


@router.get(PATH)
async def hub_page(request: Request, user: ConsoleUser) -> Response:
    container = container_of(request)
    found_hubs = await run_in_threadpool(fleet.list_hubs, container.uow_factory(user))
    vehicles = await run_in_threadpool(fleet.list_vehicles, container.uow_factory(user))
    return render.page(
        request,
        "console/hub.html",
        user=user,
        section="hub",
        hubs=found_hubs,
        vehicles=vehicles,
        kinds=[ScanKind.RECEIVE, ScanKind.SORT, ScanKind.LOAD],
        scans_path=SCANS_PATH,
    )


def _text(body: dict[str, Any], name: str, limit: int, *, required: bool = True) -> str | None:
    value = body.get(name)
    if value in (None, "") and not required:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > limit or has_control(value):
        raise ValueError(name)
    return value.strip()


def _parse(raw: bytes) -> _Scan:
    if len(raw) > MAX_BODY:
        raise ValueError("body")
    try:
        body = json.loads(raw)
    except ValueError:
        raise ValueError("body") from None
    if not isinstance(body, dict):
        raise ValueError("body")
    kind = _text(body, "kind", 20)
    if kind not in {k.value for k in (ScanKind.RECEIVE, ScanKind.SORT, ScanKind.LOAD)}:
        raise ValueError("kind")
    return _Scan(
        hub_id=str(_text(body, "hub_id", 40)),
        kind=ScanKind(kind),
        barcode=str(_text(body, "barcode", 64)),
        client_event_id=str(_text(body, "client_event_id", 100)),
        vehicle_id=_text(body, "vehicle_id", 40, required=False),
        bay=_text(body, "bay", 20, required=False),
    )


def _answer(result: ScanResult) -> dict[str, Any]:
    scan = result.scan
    refused = scan.outcome is not ScanOutcome.ACCEPTED
    leg = result.route
    headline = {
        ScanOutcome.UNKNOWN_BARCODE: "Unknown barcode: put aside",
        ScanOutcome.WRONG_HUB: "Wrong hub: put aside",
        ScanOutcome.REFUSED: "Refused",
    }.get(scan.outcome, "OK")
    if not refused:
        parts = []
        if scan.target.bay:
            parts.append(f"Bay {scan.target.bay}")
        if leg is not None:
            parts.append(f"Van {leg.vehicle_name}")
            if leg.load_position is not None:
                parts.append(f"Load {leg.load_position} of {leg.load_count}")
        if scan.parcel_state == "returning":
            parts.insert(0, "Return to sender")
        elif "next attempt on" in scan.message:
            day = scan.message.rsplit("next attempt on ", 1)[1].rstrip(".")
            parts.insert(0, f"Re-attempt {day}")
        elif "held for collection" in scan.message:
            parts.insert(0, "Hold for collection")
        headline = " · ".join(parts) or (scan.parcel_state or "ok").replace("_", " ").capitalize()
    return {
        "client_event_id": scan.client_event_id,
        "scan_id": scan.id,
        "barcode": scan.barcode,
        "outcome": scan.outcome.value,
        "refused": refused,
        "headline": headline,
        "message": scan.message,
        "replayed": result.replayed,
    }


def _refusal(event_id: str, barcode: str, message: str, status: int) -> JSONResponse:
    body = {
        "client_event_id": event_id,
        "barcode": barcode,
        "outcome": "error",
        "refused": True,
        "headline": "Not recorded",
        "message": message,
        "replayed": False,
    }
    return JSONResponse(body, status_code=status, headers={"Cache-Control": "no-store"})


@router.post(SCANS_PATH)
async def record_scan(request: Request, user: ConsoleUser) -> Response:
    """One scan from the station (JSON, CSRF in the ``X-CSRF-Token`` header)."""
    checked_csrf(request)
    try:
        scan = _parse(await request.body())
    except ValueError as bad:
        return _refusal("", "", f"The scan could not be read ({bad}).", 422)
    container = container_of(request)
    cmd = RecordScan(
        hub_id=scan.hub_id,
        client_event_id=scan.client_event_id,
        barcode=scan.barcode,
        kind=scan.kind,
        scanned_at=container.clock.now(),
        target=ScanTarget(
            bay=scan.bay if scan.kind is ScanKind.SORT else None,
            vehicle_id=scan.vehicle_id if scan.kind is ScanKind.LOAD else None,
        ),
    )
    try:
        result = await run_in_threadpool(
            scans.record_hub_scan, container.uow_factory(user), cmd, clock=container.clock
        )
    except (DomainError, ServiceError) as refused:
        return _refusal(scan.client_event_id, scan.barcode, refused.message, 422)
    return JSONResponse(_answer(result), headers={"Cache-Control": "no-store"})
