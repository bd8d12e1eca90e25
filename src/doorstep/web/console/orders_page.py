"""``/console/orders``: find an order, read its story, act on it.

The search box matches reference, barcode, postcode or the recipient's name
(:mod:`doorstep.services.console.orders`). An order's page shows its parcels and their
timeline (who, when, where, with the office's own changes from the audit log), the proof
of each attempt (photos and signature through signed links on this origin, as the
tracking page shows them, and a small map of where it was handed over against the
address), notes and the recipient's wishes (never the access code itself: it is shown
only by the courier app's reveal, near the door) and the actions: cancel, change window,
re-attempt and return, each a CSRF-checked form that redirects back (303) with a notice.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Final

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from doorstep.domain import working_days
from doorstep.domain.errors import DomainError, InvalidValue
from doorstep.domain.model import Order
from doorstep.domain.parcel import Parcel, ParcelState
from doorstep.domain.preferences import LONDON, london_day
from doorstep.services import returns
from doorstep.services.blobs.signed_urls import BlobLinks
from doorstep.services.console.orders import OrderPage, order_page, search_orders
from doorstep.services.errors import NotFound, PermissionDenied, ServiceError
from doorstep.services.orders.use_cases import cancel_order, order_status
from doorstep.services.orders.window import change_window as change_order_window
from doorstep.services.ports import SEARCH_FIELDS, BlobVariant
from doorstep.web.console.render import headers, page
from doorstep.web.console.session import ConsoleUser, checked_form, container_of

router = APIRouter()
LINK_LIFETIME: Final = timedelta(hours=1)
DONE: Final = {  # ?done= -> the notice shown after an action (never text from the query)
    "cancelled": "The order is cancelled.",
    "window": "The delivery window is changed.",
    "reattempt": "The parcel is queued for another attempt.",
    "return": "The parcel is on its way back to the sender.",
}
FIELD_NAMES: Final = {
    "all": "Anything",
    "reference": "Reference",
    "barcode": "Barcode",
    "postcode": "Postcode",
    "name": "Recipient's name",
}


@router.get("/console/orders", response_class=HTMLResponse)
async def orders(
    request: Request,
    user: ConsoleUser,
    q: Annotated[str, Query(max_length=400)] = "",
    field: Annotated[str, Query(alias="in", max_length=20)] = "all",
    cursor: Annotated[str | None, Query(max_length=400)] = None,
) -> HTMLResponse:
    """The search box and its results (25 a page, newest first)."""
    container = container_of(request)
    error, found, status = None, None, 200
    try:
        found = await run_in_threadpool(
            lambda: search_orders(container.uow_factory(user), q, field=field, cursor=cursor)
        )
    except (DomainError, ServiceError) as refused:
        error, status = _message(refused), 422
    return page(
        request,
        "console/orders.html",
        user=user,
        section="orders",
        status_code=status,
        q="".join(c for c in q if c.isprintable())[:100],
        field=field if field in SEARCH_FIELDS else "all",
        fields=FIELD_NAMES,
        found=found,
        status_of=order_status,
        error=error,
    )


def _message(error: Exception) -> str:
    if isinstance(error, InvalidValue):
        return f"{error.field}: {error.reason}"
    return str(error)


def _photo(links: BlobLinks, sha256: str, variant: BlobVariant, now: datetime) -> str:
    """A signed link to one copy, as a path on this origin (as the tracking page does)."""
    url = links.signed_url(sha256, variant, now.replace(microsecond=0) + LINK_LIFETIME)
    return url[url.index("/v1/blobs/") :]


def _proof_map(found: OrderPage) -> str:
    """The proof map's two points (address, and where the last attempt was recorded)."""
    points: dict[str, Any] = {}
    where = found.order.address.point
    if where is not None:
        points["address"] = {"lat": where.lat, "lon": where.lon}
    for attempt in reversed(found.attempts):
        if attempt.position is not None:
            points["attempt"] = {"lat": attempt.position[0], "lon": attempt.position[1]}
            break
    text = json.dumps(points)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _render(
    request: Request,
    user: Any,
    found: OrderPage,
    *,
    status_code: int = 200,
    error: str | None = None,
    notice: str | None = None,
) -> HTMLResponse:
    container = container_of(request)
    now = container.clock.now()
    links = container.blob_links
    order = found.order
    today = london_day(now)
    return page(
        request,
        "console/order.html",
        user=user,
        section="orders",
        status_code=status_code,
        order=order,
        status=order_status(order),
        attempts=found.attempts,
        timeline=found.timeline,
        photo=lambda sha, variant="display": _photo(links, sha, BlobVariant(variant), now),
        proof_map=_proof_map(found),
        failed=[p for p in order.parcels if p.state is ParcelState.ATTEMPT_FAILED],
        days=working_days.next_working_days(today + timedelta(days=1), returns.REATTEMPT_DAYS),
        has_access_code=bool(order.address.access_code),
        error=error,
        notice=notice,
    )


@router.get("/console/orders/{order_id}", response_class=HTMLResponse)
async def order(
    request: Request,
    user: ConsoleUser,
    order_id: str,
    done: Annotated[str | None, Query(max_length=20)] = None,
) -> HTMLResponse:
    """One order: parcels, timeline, proof, notes, actions."""
    container = container_of(request)
    try:
        found = await run_in_threadpool(order_page, container.uow_factory(user), order_id)
    except NotFound:
        return page(
            request,
            "console/order_missing.html",
            user=user,
            section="orders",
            status_code=404,
            error="No such order.",
        )
    return _render(request, user, found, notice=DONE.get(done or ""))


def _text(form: Any, name: str, limit: int = 64) -> str:
    value = form.get(name)
    if not isinstance(value, str) or len(value) > limit:
        raise InvalidValue(name, "is missing or too long")
    return value.strip()


def _moment(day_text: str, clock_text: str, name: str) -> datetime:
    try:
        day = date.fromisoformat(day_text)
        hour, minute = (int(part) for part in clock_text.split(":"))
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)
    except ValueError:
        raise InvalidValue(name, "is not a date and time") from None


async def _act(
    request: Request, user: Any, order_id: str, done: str, action: Callable[[Any], object]
) -> Response:
    form = await checked_form(request)
    container = container_of(request)
    try:
        await run_in_threadpool(action, form)
    except NotFound:
        return page(
            request,
            "console/order_missing.html",
            user=user,
            section="orders",
            status_code=404,
            error="No such order.",
        )
    except (DomainError, ServiceError) as refused:
        try:
            found = await run_in_threadpool(order_page, container.uow_factory(user), order_id)
        except NotFound:
            found = None
        if found is None:
            return page(
                request, "console/order_missing.html", user=user, section="orders",
                status_code=404, error="No such order.",
            )  # fmt: skip
        status = 409
        if isinstance(refused, PermissionDenied):
            status = 403
        elif isinstance(refused, InvalidValue):
            status = 422
        return _render(request, user, found, status_code=status, error=_message(refused))
    location = f"/console/orders/{order_id}?done={done}"
    return RedirectResponse(location, status_code=303, headers=headers(request))


@router.post("/console/orders/{order_id}/cancel")
async def cancel(request: Request, user: ConsoleUser, order_id: str) -> Response:
    container = container_of(request)
    return await _act(
        request,
        user,
        order_id,
        "cancelled",
        lambda form: cancel_order(
            container.uow_factory(user), order_id, clock=container.clock, reason_code="office"
        ),
    )


@router.post("/console/orders/{order_id}/window")
async def change_window(request: Request, user: ConsoleUser, order_id: str) -> Response:
    container = container_of(request)

    def apply(form: Any) -> Order:
        day = _text(form, "day", 10)
        start = _moment(day, _text(form, "start", 5), "start")
        end = _moment(day, _text(form, "end", 5), "end")
        return change_order_window(
            container.uow_factory(user), order_id, start, end, clock=container.clock
        )

    return await _act(request, user, order_id, "window", apply)


@router.post("/console/orders/{order_id}/reattempt")
async def reattempt(request: Request, user: ConsoleUser, order_id: str) -> Response:
    container = container_of(request)

    def apply(form: Any) -> Order:
        try:
            day = date.fromisoformat(_text(form, "day", 10))
        except ValueError:
            raise InvalidValue("day", "is not a date") from None
        parcel_id = _text(form, "parcel_id", 40)
        return returns.reattempt(
            container.uow_factory(user), order_id, parcel_id, day, clock=container.clock
        )

    return await _act(request, user, order_id, "reattempt", apply)


@router.post("/console/orders/{order_id}/return")
async def start_return(request: Request, user: ConsoleUser, order_id: str) -> Response:
    container = container_of(request)

    def apply(form: Any) -> Parcel:
        parcel_id = _text(form, "parcel_id", 40)
        reason = _text(form, "reason", returns.MAX_REASON)
        return returns.start_return(
            container.uow_factory(user), parcel_id, reason, clock=container.clock,
            order_id=order_id,
        )  # fmt: skip

    return await _act(request, user, order_id, "return", apply)
