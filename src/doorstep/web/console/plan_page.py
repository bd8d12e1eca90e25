"""``/console/plan``: plan a day, watch the solver, review, change, re-plan, dispatch.

The page calls the same use cases as the API (``plans.request_plan``, the order import,
``routes.dispatch_plan``) and the Plan page's own glue (``services.console.plan``) for
the dispatcher's changes. Every POST checks the CSRF value; every refusal is the page
again with a sentence saying what to fix, never a stack trace.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, time
from functools import partial
from typing import Any, Final, TypeVar

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile

from doorstep.domain.access import Principal
from doorstep.domain.errors import DomainError
from doorstep.planning.document import PlanDocument
from doorstep.planning.export import geojson
from doorstep.services import accounts, fleet, plans, routes
from doorstep.services.console import plan as glue
from doorstep.services.errors import NotFound, PermissionDenied, ServiceError
from doorstep.services.orders.imports import import_orders_csv
from doorstep.services.plans.request import RequestPlan, VehicleShift
from doorstep.services.plans.use_cases import MAX_BUDGET_S
from doorstep.services.ports import Conflict, PlanRecord, PlanStatus
from doorstep.services.sheets.import_report import ImportReport
from doorstep.web.console import render
from doorstep.web.console.session import ConsoleUser, checked_form, container_of

router = APIRouter()
log = logging.getLogger("doorstep.console")
PATH: Final = "/console/plan"
CHUNK: Final = 64 * 1024
T = TypeVar("T")


class Refused(Exception):
    """A dispatcher's input the page cannot use: shown on the page with ``status``."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def _text(form: FormData, name: str, limit: int = 200) -> str:
    value = form.get(name)
    if not isinstance(value, str):
        return ""
    if len(value) > limit or any(not c.isprintable() for c in value):
        raise Refused(f"The field {name!r} holds characters or a length the console refuses.")
    return value.strip()


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise Refused("Give the date as a calendar date (YYYY-MM-DD).") from error


def _number(value: str, what: str) -> int:
    if not value.isdigit() or len(value) > 6:
        raise Refused(f"The {what} must be a whole number.")
    return int(value)


async def _call(fn: Callable[[], T]) -> T:
    """Run a use case off the event loop; its refusals become :class:`Refused`."""
    try:
        return await run_in_threadpool(fn)
    except (DomainError, ServiceError) as error:
        status = 404 if isinstance(error, NotFound) else 422
        status = 403 if isinstance(error, PermissionDenied) else status
        raise Refused(error.message, status) from error
    except Conflict as error:
        raise Refused(str(error), 409) from error


def _start_context(container: Any, user: Principal, hub_id: str, day: date) -> dict[str, Any]:
    uow = container.uow_factory
    hubs = fleet.list_hubs(uow(user))
    hub_id = hub_id or (hubs[0].id if hubs else "")
    vehicles = [v for v in fleet.list_vehicles(uow(user)) if v.hub_id == hub_id]
    waiting = glue.plannable(uow(user), hub_id, day) if hub_id else None
    return {
        "hubs": hubs,
        "hub_id": hub_id,
        "day": day,
        "vehicles": vehicles,
        "couriers": fleet.list_couriers(uow(user)),
        "brands": accounts.list_brands(uow(user)),
        "waiting": waiting,
        "networks": plans.known_networks(),
        "max_budget": MAX_BUDGET_S,
    }


async def _start_page(
    request: Request, user: Principal, hub_id: str, day: date, status: int = 200, **extra: Any
) -> Response:
    container = container_of(request)
    context = await run_in_threadpool(_start_context, container, user, hub_id, day)
    return render.page(
        request,
        "console/plan.html",
        user=user,
        section="plan",
        status_code=status,
        **(context | extra),
    )


@router.get(PATH)
async def plan_start(request: Request, user: ConsoleUser, hub: str = "", day: str = "") -> Response:
    """Orders waiting for a day, the upload, and the form that starts a plan."""
    today = container_of(request).clock.now().date()
    try:
        chosen = _date(day) if day else today
        return await _start_page(request, user, hub[:40], chosen)
    except Refused as refused:
        return await _start_page(request, user, "", today, refused.status, error=refused.message)


@router.post(f"{PATH}/upload")
async def upload_orders(request: Request, user: ConsoleUser) -> Response:
    """Import an order CSV (the streamed import of ``POST /v1/orders/import``) and show
    its report: accepted rows, and each rejected row with its reason."""
    form = await checked_form(request)
    try:
        return await _import(request, user, form)
    finally:
        await form.close()


async def _import(request: Request, user: Principal, form: FormData) -> Response:
    container = container_of(request)
    today = container.clock.now().date()
    try:
        hub_id, brand_id = _text(form, "hub", 40), _text(form, "brand", 40)
        day = _date(_text(form, "day", 10) or today.isoformat())
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not brand_id:
            raise Refused("Choose the brand and an order CSV file to upload.")
        chunks = iter(partial(upload.file.read, CHUNK), b"")
        report: ImportReport = await _call(
            partial(
                import_orders_csv,
                container.uow_factory,
                user,
                chunks,
                clock=container.clock,
                postcodes=container.postcodes,
                brand_id=brand_id,
            )
        )
    except Refused as refused:
        return await _start_page(request, user, "", today, refused.status, error=refused.message)
    notice = f"{report.created} orders imported, {report.rejected} rows rejected."
    return await _start_page(request, user, hub_id, day, report=report, notice=notice)


def _shifts(form: FormData) -> tuple[VehicleShift, ...]:
    chosen = [v for v in form.getlist("vehicle") if isinstance(v, str)]
    if not chosen:
        raise Refused("Tick at least one vehicle for the plan.")
    if len(chosen) > 200 or any(len(v) > 40 for v in chosen):
        raise Refused("That list of vehicles cannot be right: tick them on the page.")
    start = _clock(_text(form, "shift_start", 5) or "08:00")
    end = _clock(_text(form, "shift_end", 5) or "18:00")
    return tuple(VehicleShift(v, shift_start=start, shift_end=end) for v in chosen)


def _clock(value: str) -> time:
    try:
        return time.fromisoformat(value)
    except ValueError as error:
        raise Refused("Give times as HH:MM.") from error


@router.post(PATH)
async def start_plan(request: Request, user: ConsoleUser) -> Response:
    """Queue the plan; the job queue solves it and the plan's page shows the progress."""
    form = await checked_form(request)
    container = container_of(request)
    today = container.clock.now().date()
    hub_id = ""
    try:
        hub_id = _text(form, "hub", 40)
        day = _date(_text(form, "day", 10))
        cmd = RequestPlan(
            hub_id=hub_id,
            plan_date=day,
            depart=_clock(_text(form, "depart", 5) or "08:00"),
            budget_s=_number(_text(form, "budget", 6), "budget in seconds"),
            network=_text(form, "network", 80),
            vehicles=_shifts(form),
        )
        made = await _call(
            partial(plans.request_plan, container.uow_factory(user), cmd, container.clock)
        )
    except Refused as refused:
        return await _start_page(
            request, user, hub_id, today, refused.status, error=refused.message
        )
    _enqueue(container, made)
    return RedirectResponse(f"{PATH}/{made.id}", status_code=303, headers=render.headers(request))


def _enqueue(container: Any, made: PlanRecord) -> None:
    try:
        container.enqueue_plan(made.id)
    except Exception:  # stored: a restarted worker resumes it
        log.exception("plan %s stored but not enqueued", made.id)


def _progress(container: Any, plan: PlanRecord) -> dict[str, Any]:
    elapsed, fraction = plans.progress(plan, container.clock.now())
    return {"plan": plan, "elapsed": round(elapsed), "percent": round(fraction * 100)}


def _view_context(container: Any, user: Principal, plan_id: str) -> dict[str, Any]:
    uow = container.uow_factory
    plan = plans.get_plan(uow(user), plan_id)
    context: dict[str, Any] = {"plan": plan, **_progress(container, plan)}
    if plan.status is PlanStatus.SUCCEEDED:
        current = glue.edits(uow(user), plan.id)
        context["review"] = glue.review(plan, current)
        context["newer"] = glue.replanned_as(uow(user), plan.id)
        with uow(user).read_only() as read:
            context["dispatched"] = read.routes.dispatched_plan_indexes(plan.id)
        context["couriers"] = fleet.list_couriers(uow(user))
    return context


async def _view(
    request: Request, user: Principal, plan_id: str, status: int = 200, **extra: Any
) -> Response:
    container = container_of(request)
    try:
        context = await _call(partial(_view_context, container, user, plan_id[:40]))
    except Refused as refused:
        return render.page(
            request,
            "console/plan_missing.html",
            user=user,
            section="plan",
            status_code=refused.status,
            error=refused.message,
        )
    return render.page(
        request,
        "console/plan_view.html",
        user=user,
        section="plan",
        status_code=status,
        **(context | extra),
    )


@router.get(PATH + "/{plan_id}")
async def plan_view(request: Request, user: ConsoleUser, plan_id: str) -> Response:
    """Progress while the solver works; then the routes on a map and as a table."""
    return await _view(request, user, plan_id)


@router.get(PATH + "/{plan_id}/progress")
async def plan_progress(request: Request, user: ConsoleUser, plan_id: str) -> Response:
    """The progress bar, polled every second by htmx; a finished plan reloads the page."""
    container = container_of(request)
    try:
        plan = await _call(partial(plans.get_plan, container.uow_factory(user), plan_id[:40]))
    except Refused as refused:
        return render.fragment(
            request, "console/_refusal.html", status_code=refused.status, message=refused.message
        )
    answer = render.fragment(request, "console/plan_progress.html", **_progress(container, plan))
    if plan.status.finished:
        answer.headers["HX-Refresh"] = "true"
    return answer


@router.get(PATH + "/{plan_id}/map.json")
async def plan_map(request: Request, user: ConsoleUser, plan_id: str) -> Response:
    """The solved plan as GeoJSON for the page's map (hubs, routes, stops, leftovers)."""
    container = container_of(request)
    try:
        plan = await _call(partial(plans.get_plan, container.uow_factory(user), plan_id[:40]))
    except Refused as refused:
        return JSONResponse({"detail": refused.message}, status_code=refused.status)
    if plan.result is None:
        return JSONResponse({"detail": "the plan is not solved yet"}, status_code=409)
    body = geojson(PlanDocument.model_validate(plan.result))
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


async def _change(
    request: Request, user: Principal, plan_id: str, do: Callable[..., str]
) -> Response:
    """One of the dispatcher's changes; the page again with its sentence or the refusal."""
    form = await checked_form(request)
    container = container_of(request)
    try:
        notice = await _call(partial(do, container, form))
    except Refused as refused:
        return await _view(request, user, plan_id, refused.status, error=refused.message)
    return await _view(request, user, plan_id, notice=notice)


@router.post(PATH + "/{plan_id}/move")
async def move_stop(request: Request, user: ConsoleUser, plan_id: str) -> Response:
    def do(container: Any, form: FormData) -> str:
        stop_id, to = _text(form, "stop", 80), _text(form, "to_vehicle", 40)
        return glue.move_stop(container.uow_factory(user), plan_id, stop_id, to, container.clock)

    return await _change(request, user, plan_id, do)


@router.post(PATH + "/{plan_id}/lock")
async def lock_stop(request: Request, user: ConsoleUser, plan_id: str) -> Response:
    def do(container: Any, form: FormData) -> str:
        stop_id = _text(form, "stop", 80)
        return glue.lock_stop(container.uow_factory(user), plan_id, stop_id, container.clock)

    return await _change(request, user, plan_id, do)


@router.post(PATH + "/{plan_id}/remove-vehicle")
async def remove_vehicle(request: Request, user: ConsoleUser, plan_id: str) -> Response:
    def do(container: Any, form: FormData) -> str:
        vehicle = _text(form, "vehicle", 40)
        return glue.remove_vehicle(container.uow_factory(user), plan_id, vehicle, container.clock)

    return await _change(request, user, plan_id, do)


@router.post(PATH + "/{plan_id}/replan")
async def replan(request: Request, user: ConsoleUser, plan_id: str) -> Response:
    """Ask for the next plan with the changes kept; its page shows the solver again."""
    form = await checked_form(request)
    container = container_of(request)
    try:
        budget = _text(form, "budget", 6)
        seconds = _number(budget, "budget in seconds") if budget else None
        made = await _call(
            partial(
                glue.replan, container.uow_factory, user, plan_id, container.clock, budget_s=seconds
            )
        )
    except Refused as refused:
        return await _view(request, user, plan_id, refused.status, error=refused.message)
    _enqueue(container, made)
    return RedirectResponse(f"{PATH}/{made.id}", status_code=303, headers=render.headers(request))


@router.post(PATH + "/{plan_id}/dispatch")
async def dispatch(request: Request, user: ConsoleUser, plan_id: str) -> Response:
    """Hand each route with a courier chosen to that courier (one transaction)."""
    form = await checked_form(request)
    container = container_of(request)
    try:
        assignments = _assignments(form)
        pending = await _call(partial(glue.edits, container.uow_factory(user), plan_id))
        if pending.pending:
            raise Refused("Re-plan first: the changes on this plan are not in its routes yet.")
        made = await _call(
            partial(
                routes.dispatch_plan,
                container.uow_factory(user),
                routes.DispatchPlan(plan_id, assignments),
                clock=container.clock,
            )
        )
    except Refused as refused:
        return await _view(request, user, plan_id, refused.status, error=refused.message)
    notice = f"{len(made)} routes dispatched to their couriers."
    return await _view(request, user, plan_id, notice=notice, just_dispatched=True)


def _assignments(form: FormData) -> list[routes.RouteAssignment]:
    found: list[routes.RouteAssignment] = []
    for key, value in form.multi_items():
        if not key.startswith("courier_") or not isinstance(value, str) or not value:
            continue
        index = key.removeprefix("courier_")
        if not index.isdigit() or len(index) > 4 or len(value) > 40:
            raise Refused("Choose couriers from the lists on the page.")
        found.append(routes.RouteAssignment(int(index), value))
    if not found:
        raise Refused("Choose a courier for at least one route.")
    return found
