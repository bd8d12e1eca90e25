"""``/console/returns``: a brand's returns manifest for a day, its CSV and PDF, the return
labels, and recording the handover to the brand's driver (services/returns)."""

from __future__ import annotations

from datetime import date
from typing import Any, Final
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from doorstep.documents.returns_manifest import (
    reason_text,
    render_returns_csv,
    render_returns_pdf,
    return_label,
)
from doorstep.domain import calendar
from doorstep.domain.errors import DomainError
from doorstep.domain.preferences import london_day
from doorstep.services import accounts, returns
from doorstep.services.errors import ServiceError
from doorstep.services.returns import ReturnsManifest
from doorstep.web.console import render
from doorstep.web.console.session import ConsoleUser, checked_form, container_of

router = APIRouter()
PATH: Final = "/console/returns"


def _day(raw: str | None, today: date) -> date:
    if not raw:
        return today
    try:
        return calendar.check_date("date", date.fromisoformat(raw))
    except (ValueError, DomainError):
        raise ValueError("Give the day as YYYY-MM-DD.") from None


async def _page(
    request: Request, user: Any, brand_id: str | None, raw_day: str | None, **flash: str
) -> Response:
    container = container_of(request)
    today = london_day(container.clock.now())
    brands = await run_in_threadpool(accounts.list_brands, container.uow_factory(user))
    error = flash.get("error")
    manifest: ReturnsManifest | None = None
    status = 200
    try:
        day = _day(raw_day, today)
    except ValueError as bad:
        day, error, status = today, str(bad), 422
    chosen = brand_id or (brands[0].id if brands else None)
    if chosen is not None:
        try:
            manifest = await run_in_threadpool(
                returns.returns_manifest, container.uow_factory(user), chosen, day
            )
        except (DomainError, ServiceError) as refused:
            error, status = refused.message, 404
    query = urlencode({"brand_id": chosen or "", "date": day.isoformat()})
    return render.page(
        request,
        "console/returns.html",
        user=user,
        section="returns",
        status_code=status,
        brands=brands,
        brand_id=chosen,
        day=day,
        manifest=manifest,
        reason_text=reason_text,
        query=query,
        notice=flash.get("notice"),
        error=error,
    )


@router.get(PATH)
async def returns_page(
    request: Request, user: ConsoleUser, brand_id: str | None = None, date: str | None = None
) -> Response:
    return await _page(request, user, brand_id, date)


@router.post(f"{PATH}/handover")
async def record_handover(request: Request, user: ConsoleUser) -> Response:
    form = await checked_form(request)
    brand_id = str(form.get("brand_id") or "")
    raw_day = str(form.get("date") or "")
    refs = [str(v) for v in form.getlist("parcel")]
    refs += str(form.get("barcodes") or "").split()
    container = container_of(request)
    try:
        done = await run_in_threadpool(
            lambda: returns.handover(
                container.uow_factory(user), brand_id, refs, clock=container.clock
            )
        )
    except (DomainError, ServiceError) as refused:
        return await _page(request, user, brand_id, raw_day, error=refused.message)
    new = sum(1 for d in done if not d.already)
    notice = f"Handed over: {new} parcel{'s' if new != 1 else ''} returned to the sender"
    if len(done) > new:
        notice += f" ({len(done) - new} already recorded)"
    return await _page(request, user, brand_id, raw_day, notice=notice + ".")


async def _manifest(request: Request, user: Any, brand_id: str, raw_day: str) -> ReturnsManifest:
    container = container_of(request)
    day = _day(raw_day, london_day(container.clock.now()))
    return await run_in_threadpool(
        returns.returns_manifest, container.uow_factory(user), brand_id, day
    )


async def _download(
    request: Request, user: Any, brand_id: str, raw_day: str, pdf: bool
) -> Response:
    try:
        found = await _manifest(request, user, brand_id, raw_day)
    except (ValueError, DomainError, ServiceError):
        return await _page(request, user, brand_id, raw_day, error="No such manifest.")
    name = f"returns-{found.brand_id}-{found.day.isoformat()}"
    if pdf:
        body = await run_in_threadpool(
            lambda: render_returns_pdf(found.lines, brand_name=found.brand_name, day=found.day)
        )
        headers = {"Content-Disposition": f'inline; filename="{name}.pdf"'}
        return Response(body, media_type="application/pdf", headers=headers)
    headers = {"Content-Disposition": f'attachment; filename="{name}.csv"'}
    return Response(render_returns_csv(found.lines), media_type="text/csv", headers=headers)


@router.get(f"{PATH}/manifest.csv")
async def manifest_csv(
    request: Request, user: ConsoleUser, brand_id: str = "", date: str = ""
) -> Response:
    return await _download(request, user, brand_id, date, pdf=False)


@router.get(f"{PATH}/manifest.pdf")
async def manifest_pdf(
    request: Request, user: ConsoleUser, brand_id: str = "", date: str = ""
) -> Response:
    return await _download(request, user, brand_id, date, pdf=True)


@router.get(f"{PATH}/{{parcel_id}}/label")
async def label(request: Request, user: ConsoleUser, parcel_id: str) -> Response:
    container = container_of(request)
    try:
        source = await run_in_threadpool(
            returns.return_label_source, container.uow_factory(user), parcel_id
        )
    except (DomainError, ServiceError) as refused:
        return await _page(request, user, None, None, error=refused.message)
    pdf = await run_in_threadpool(
        lambda: return_label(
            source.order,
            source.parcel,
            brand_name=source.sender,
            hub_name=source.hub_name,
            tracking_url=container.tracking_base_url + source.order.tracking_token,
        )
    )
    headers = {"Content-Disposition": f'inline; filename="return-{source.parcel.id}.pdf"'}
    return Response(pdf, media_type="application/pdf", headers=headers)
