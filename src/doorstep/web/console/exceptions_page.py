"""``/console/exceptions``: the queue of things a dispatcher must act on, and the actions.

The page lists exceptions (open, resolved or all; one kind or every kind) with what and
where they concern and since when. Each open one offers the actions that fix it, each a
form with the CSRF value: resolve with a note, move the stop to another of today's routes,
return it to the hub, cancel the order, re-plan the rest of the route; the recipient is
called or messaged from the order's page. A button re-plans every route of the day.

Forms work without script (a whole page comes back); with htmx they post in place and
the queue alone is swapped (``_exception_rows.html``). ``exceptions.js`` reads the queue
again when the console's live stream says an exception was raised or resolved.

The rules are the services' (:mod:`doorstep.services.exceptions`): this module reads the
form, runs the use case in a worker thread and puts its answer or refusal into words.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any, Final, TypeVar
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from starlette.datastructures import FormData

from doorstep.domain.access import Principal
from doorstep.domain.errors import InvalidValue
from doorstep.domain.exceptions import KIND_WORDS, DispatchException
from doorstep.domain.route import Route, RouteState
from doorstep.planning.params import PlannerParams
from doorstep.planning.reoptimise import REOPTIMISE_PARAMS
from doorstep.services import exceptions, fleet
from doorstep.services.container import Container
from doorstep.services.exceptions import ActionDone
from doorstep.services.ports import UnitOfWork
from doorstep.services.routes.views import list_routes
from doorstep.web.console import render
from doorstep.web.console.admin import Refused, refusal_of, text
from doorstep.web.console.session import ConsoleUser, checked_form, container_of

router = APIRouter()
PATH: Final = "/console/exceptions"
ROWS: Final = "console/_exception_rows.html"
LONDON: Final = ZoneInfo("Europe/London")
STATES: Final = {"open": "Open", "resolved": "Resolved", "all": "All"}
KINDS: Final = [(kind.value, words) for kind, words in KIND_WORDS.items()]
# What a refused field is called on the page.
FIELDS: Final = {
    "note": "The note",
    "to_route_id": "The route to move to",
    "action": "This action",
    "kind": "The kind",
    "state": "The state",
    "route_id": "The route",
    "stop_ids": "The route's stops",
}
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Filters:
    """The queue's filters, as the page's query or the form's hidden fields carry them."""

    state: str = "open"
    kind: str = ""

    @classmethod
    def read(cls, state: str | None, kind: str | None) -> Filters:
        """Unknown values fall back to the default view rather than an error page: the
        filters are links and a select, and a stale bookmark should still open."""
        state = state if state in STATES else "open"
        kind = kind if kind in {k for k, _ in KINDS} else ""
        return cls(state, kind or "")

    @classmethod
    def of_form(cls, form: FormData) -> Filters:
        return cls.read(text(form, "state"), text(form, "kind"))

    @property
    def query(self) -> str:
        return f"state={self.state}" + (f"&kind={self.kind}" if self.kind else "")


@dataclass(frozen=True, slots=True)
class RouteChoice:
    """A route a stop may move to, as the select names it."""

    id: str
    label: str


@dataclass(frozen=True, slots=True)
class Row:
    """One exception as the queue shows it."""

    found: DispatchException
    kind_words: str
    age: str
    order_pages: list[tuple[str, str]]  # (order id, console page)
    move_to: list[RouteChoice]


async def _run(run: Callable[[], T]) -> T:
    """A use case in a worker thread; its refusal in the page's words (never a 500)."""
    try:
        return await run_in_threadpool(run)
    except InvalidValue as error:
        subject = FIELDS.get(error.field, f"The field {error.field!r}")
        raise Refused(422, f"{subject}: {error.reason.rstrip('.')}.") from error
    except Exception as error:
        raise refusal_of(error) from error


def age_words(age: timedelta) -> str:
    """``4 min``, ``2 h 5 min``, ``3 days``: how long it has been open (or was open)."""
    minutes = int(age.total_seconds() // 60)
    if minutes < 1:
        return "under a minute"
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        hours, rest = divmod(minutes, 60)
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    return f"{minutes // (24 * 60)} days"


def _today(container: Container) -> date:
    return container.clock.now().astimezone(LONDON).date()


def _choices(uow: UnitOfWork, day: date) -> list[tuple[Route, str]]:
    """Today's routes not yet finished, with their courier's name."""
    names = {c.id: c.name for c in fleet.list_couriers(uow)}
    found = list_routes(uow, route_date=day)
    left = [r for r in found if r.state is not RouteState.FINISHED]
    return [(r, names.get(r.courier_id, r.courier_id)) for r in left]


def _label(route: Route, courier: str) -> str:
    left = sum(1 for s in route.active_stops if not s.state.done)
    state = "on the road" if route.state is RouteState.STARTED else "not started"
    return f"{courier}, {state}, {left} stops left ({route.id})"


def _rows(
    found: list[DispatchException], day_routes: list[tuple[Route, str]], now: datetime
) -> list[Row]:
    rows = []
    for item in found:
        move_to = [
            RouteChoice(r.id, _label(r, courier))
            for r, courier in day_routes
            if r.id != item.route_id
        ]
        rows.append(
            Row(
                found=item,
                kind_words=item.kind.words,
                age=age_words(item.age(now)),
                order_pages=list(zip(item.order_ids, exceptions.order_pages(item), strict=True)),
                move_to=move_to,
            )
        )
    return rows


async def _queue(request: Request, user: Principal, filters: Filters) -> dict[str, Any]:
    """What the queue shows: the rows under ``filters``, and the filters themselves."""
    container = container_of(request)
    uow = container.uow_factory
    found = await _run(
        lambda: exceptions.list_exceptions(uow(user), filters.state, filters.kind or None)  # type: ignore[arg-type]
    )
    day_routes = await _run(lambda: _choices(uow(user), _today(container)))
    return {
        "rows": _rows(found, day_routes, container.clock.now()),
        "filters": filters,
        "states": STATES,
        "kinds": KINDS,
        "base": PATH,
    }


async def _answer(
    request: Request,
    user: Principal,
    filters: Filters,
    *,
    status_code: int = 200,
    notice: str | None = None,
    error: str | None = None,
) -> Response:
    """The queue after a form: in place for htmx, else the whole page."""
    context = await _queue(request, user, filters)
    if request.headers.get("HX-Request") == "true":
        return render.fragment(
            request,
            ROWS,
            status_code=status_code,
            queue_notice=notice,
            queue_error=error,
            **context,
        )
    return render.page(
        request,
        "console/exceptions.html",
        user=user,
        section="exceptions",
        status_code=status_code,
        notice=notice,
        error=error,
        **context,
    )


@router.get(PATH)
async def exceptions_page(
    request: Request, user: ConsoleUser, state: str | None = None, kind: str | None = None
) -> Response:
    """The exception queue."""
    return await _answer(request, user, Filters.read(state, kind))


@router.get(PATH + "/rows")
async def exception_rows(
    request: Request, user: ConsoleUser, state: str | None = None, kind: str | None = None
) -> Response:
    """The queue alone, for the page to read again when the live stream says so."""
    context = await _queue(request, user, Filters.read(state, kind))
    return render.fragment(request, ROWS, **context)


def _params(container: Container) -> PlannerParams:
    """The re-optimiser's budget, bounded as the container's planner is (tests bound its
    iterations; one worker on a shared web process)."""
    return replace(REOPTIMISE_PARAMS, workers=1, max_iterations=container.planner.max_iterations)


Action = Callable[[UnitOfWork, Container, str, FormData], ActionDone]


def _resolve(uow: UnitOfWork, c: Container, eid: str, form: FormData) -> ActionDone:
    found = exceptions.resolve(uow, eid, text(form, "note"), clock=c.clock)
    return ActionDone(f"Resolved: {found.kind.words.lower()}.", found)


def _move(uow: UnitOfWork, c: Container, eid: str, form: FormData) -> ActionDone:
    to_route = text(form, "to_route_id")
    if not to_route:
        raise InvalidValue("to_route_id", "choose one of today's routes")
    return exceptions.move_stop(uow, eid, to_route, clock=c.clock, note=text(form, "note"))


def _return(uow: UnitOfWork, c: Container, eid: str, form: FormData) -> ActionDone:
    return exceptions.return_to_hub(uow, eid, clock=c.clock, note=text(form, "note"))


def _cancel(uow: UnitOfWork, c: Container, eid: str, form: FormData) -> ActionDone:
    return exceptions.cancel_orders(uow, eid, clock=c.clock, note=text(form, "note"))


def _replan(uow: UnitOfWork, c: Container, eid: str, form: FormData) -> ActionDone:
    return exceptions.replan(
        uow,
        eid,
        clock=c.clock,
        routing_for=c.routing_for,
        params=_params(c),
        note=text(form, "note"),
    )


ACTIONS: Final[dict[str, Action]] = {
    "resolve": _resolve,
    "move": _move,
    "return": _return,
    "cancel": _cancel,
    "replan": _replan,
}


@router.post(PATH + "/{exception_id}/{action}")
async def act(request: Request, exception_id: str, action: str, user: ConsoleUser) -> Response:
    """One action on one exception; the queue comes back with what was done."""
    form = await checked_form(request)
    filters = Filters.of_form(form)
    run = ACTIONS.get(action)
    if run is None:
        return await _answer(request, user, filters, status_code=404, error="No such action.")
    container = container_of(request)
    try:
        done = await _run(lambda: run(container.uow_factory(user), container, exception_id, form))
    except Refused as refused:
        return await _answer(
            request, user, filters, status_code=refused.status, error=refused.message
        )
    return await _answer(request, user, filters, notice=done.message)


@router.post(PATH + "/replan-day")
async def replan_day(request: Request, user: ConsoleUser) -> Response:
    """Re-plan the rest of every route of today, each from where its courier is."""
    form = await checked_form(request)
    filters = Filters.of_form(form)
    container = container_of(request)
    try:
        done = await _run(
            lambda: exceptions.replan_day(
                container.uow_factory(user),
                clock=container.clock,
                routing_for=container.routing_for,
                day=_today(container),
                params=_params(container),
            )
        )
    except Refused as refused:
        return await _answer(
            request, user, filters, status_code=refused.status, error=refused.message
        )
    if not done:
        return await _answer(request, user, filters, notice="No route of today is left to re-plan.")
    changed = sum(1 for r in done if r.changed)
    words = f"Re-planned today's routes: {changed} of {len(done)} in a new order."
    refused_words = " ".join(r.message for r in done if r.refused or r.unplaced)
    return await _answer(request, user, filters, notice=f"{words} {refused_words}".strip())
