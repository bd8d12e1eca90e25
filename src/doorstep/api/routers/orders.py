"""``/v1/orders``: create (one or a batch), list, read and cancel a brand's orders."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query
from pydantic import TypeAdapter, ValidationError

from doorstep.api import present
from doorstep.api.deps import Idempotency, Services, UoW, json_saved
from doorstep.api.problems import Problem, field_errors
from doorstep.api.schemas.common import Moment, PageOf, Token
from doorstep.api.schemas.orders import (
    BatchCreate,
    BatchPublic,
    BatchResult,
    CancelRequest,
    FieldErrorPublic,
    OrderCreate,
    OrderPublic,
    Reference,
    WindowIn,
)
from doorstep.domain import order_rules as rules
from doorstep.domain.errors import DomainError, InvalidValue
from doorstep.domain.model import Address, GeoPoint, Order, Recipient, TimeWindow
from doorstep.domain.parcel import Dimensions, ParcelState
from doorstep.services import orders
from doorstep.services.idempotency import BeforeCommit, SavedResponse
from doorstep.services.orders.use_cases import BatchItem, CreateOrder, ParcelSpec
from doorstep.services.ports import OrderQuery

router = APIRouter(prefix="/orders", tags=["orders"])
ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": Problem} for code in (401, 403, 404, 409, 422)
}
Cursor = Annotated[str, Query(pattern=r"^[A-Za-z0-9_=.\-]{1,200}$")]
_order_adapter = TypeAdapter(OrderCreate)
LAT, LON = rules.OrderField.LAT, rules.OrderField.LON
START, END = rules.OrderField.WINDOW_START, rules.OrderField.WINDOW_END
CLOSED_START, CLOSED_END = rules.OrderField.CLOSED_START, rules.OrderField.CLOSED_END


def to_command(body: OrderCreate) -> CreateOrder:
    """Schema to command, after the rules that join two fields (as the CSV import does)."""
    _check_fields_given_together(body)
    a = body.address
    point = GeoPoint(a.lat, a.lon) if a.lat is not None and a.lon is not None else None
    return CreateOrder(
        reference=body.reference,
        brand_id=body.brand_id,
        recipient=Recipient(
            name=body.recipient.name, phone=body.recipient.phone, email=body.recipient.email
        ),
        address=Address(
            lines=tuple(a.lines),
            postcode=a.postcode,
            point=point,
            address_type=a.address_type,
            access_notes=a.access_notes,
            access_code=a.access_code,
            city=a.city,
        ),
        service_level=body.service_level,
        parcels=tuple(
            ParcelSpec(
                weight_kg=p.weight_kg,
                dimensions=Dimensions(p.length_cm, p.width_cm, p.height_cm)
                if p.length_cm is not None and p.width_cm is not None and p.height_cm is not None
                else None,
            )
            for p in body.parcels
        ),
        window=_window(body.window),
        closed=_window(body.closed),
        priority=body.priority,
        hub_id=body.hub_id,
        delivery_pin=body.delivery_pin,
        minimum_age=body.minimum_age,
        safe_place=body.safe_place,
    )


def _window(w: WindowIn | None) -> TimeWindow | None:
    if w is None or w.start is None or w.end is None:
        return None
    return TimeWindow(w.start, w.end)


def _check_fields_given_together(body: OrderCreate) -> None:
    """Refuse, naming the field to fix, lat without lon, two sides of three, a reversed window."""
    try:
        a = body.address
        w = body.window
        broken = rules.together({LAT: a.lat is not None, LON: a.lon is not None})
        if w is not None:
            broken += rules.together({START: w.start is not None, END: w.end is not None})
        if broken:
            raise broken[0]
        if w is not None and w.start is not None and w.end is not None:
            rules.window(w.start, w.end)
        c = body.closed
        if c is not None:
            pair = rules.together(
                {CLOSED_START: c.start is not None, CLOSED_END: c.end is not None}
            )
            if pair:
                raise pair[0]
            if c.start is not None and c.end is not None:
                rules.closed(_window(w), c.start, c.end)
    except rules.RuleBroken as error:
        raise InvalidValue(error.api_path(), error.reason) from None
    for index, p in enumerate(body.parcels):
        given = (p.length_cm, p.width_cm, p.height_cm)
        broken = rules.together(
            {side: value is not None for side, value in zip(rules.SIDES, given, strict=True)}
        )
        if broken:
            raise InvalidValue(broken[0].api_path(index), broken[0].reason)


@router.post("", status_code=201, response_model=OrderPublic, responses=ERRORS)
def create_order(body: OrderCreate, uow: UoW, services: Services, call: Idempotency) -> object:
    """Create an order and its parcels. Brands omit ``brand_id``; operators must give it."""
    cmd = to_command(body)

    def action(hook: BeforeCommit[Order] | None) -> Order:
        return orders.create_order(
            uow, cmd, clock=services.clock, postcodes=services.postcodes, before_commit=hook
        )

    return call.run(
        action, lambda made: json_saved(201, present.order(made, services.tracking_base_url))
    )


@router.post("/batch", response_model=BatchPublic, responses=ERRORS)
def create_batch(body: BatchCreate, uow: UoW, services: Services, call: Idempotency) -> object:
    """Create up to 1000 orders; valid ones are created, each refused one says why."""
    items: list[CreateOrder | DomainError] = []
    invalid: dict[int, list[FieldErrorPublic]] = {}
    for index, raw in enumerate(body.orders):
        try:
            items.append(to_command(_order_adapter.validate_python(raw)))
        except ValidationError as error:
            found = [FieldErrorPublic(**e) for e in field_errors(error.errors())]
            invalid[index] = found
            items.append(InvalidValue(found[0].field, found[0].reason))
        except DomainError as error:
            items.append(error)

    def render(results: list[BatchItem]) -> SavedResponse:
        return json_saved(200, _batch(results, invalid, services.tracking_base_url))

    def action(hook: BeforeCommit[list[BatchItem]] | None) -> list[BatchItem]:
        return orders.create_orders_batch(
            uow, items, clock=services.clock, postcodes=services.postcodes, before_commit=hook
        )

    return call.run(action, render)


def _batch(
    results: list[BatchItem], invalid: dict[int, list[FieldErrorPublic]], base_url: str
) -> BatchPublic:
    out = []
    for item in results:
        if item.order is not None:
            out.append(
                BatchResult(index=item.index, status=201, order=present.order(item.order, base_url))
            )
            continue
        errors = invalid.get(item.index) or (
            [FieldErrorPublic(field=item.field, reason=item.error or "")] if item.field else None
        )
        out.append(
            BatchResult(index=item.index, status=item.status, detail=item.error, errors=errors)
        )
    created = sum(1 for r in out if r.order is not None)
    return BatchPublic(created=created, failed=len(out) - created, results=out)


@router.get("", response_model=PageOf[OrderPublic], responses=ERRORS)
def list_orders(
    uow: UoW,
    services: Services,
    state: ParcelState | None = None,
    reference: Annotated[Reference | None, Query()] = None,
    brand_id: Annotated[Token | None, Query()] = None,
    created_from: Annotated[Moment | None, Query()] = None,
    created_to: Annotated[Moment | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Cursor | None = None,
) -> PageOf[OrderPublic]:
    """Newest first. Pass ``next_cursor`` back as ``cursor`` for the next page."""
    query = OrderQuery(
        brand_id=brand_id,
        state=state,
        reference=reference,
        created_from=created_from,
        created_to=created_to,
        limit=limit,
        cursor=cursor,
    )
    page = orders.list_orders(uow, query)
    base = services.tracking_base_url
    return PageOf[OrderPublic](
        items=[present.order(o, base) for o in page.items], next_cursor=page.next_cursor
    )


@router.get("/{order_id}", response_model=OrderPublic, responses=ERRORS)
def get_order(order_id: str, uow: UoW, services: Services) -> OrderPublic:
    return present.order(orders.get_order(uow, order_id), services.tracking_base_url)


@router.post("/{order_id}/cancel", response_model=OrderPublic, responses=ERRORS)
def cancel_order(
    order_id: str,
    uow: UoW,
    services: Services,
    call: Idempotency,
    body: Annotated[CancelRequest | None, Body()] = None,
) -> object:
    """Cancel every parcel; 409 with the reason once a parcel is out for delivery."""
    reason = body.reason_code if body else None

    def action(hook: BeforeCommit[Order] | None) -> Order:
        return orders.cancel_order(
            uow, order_id, clock=services.clock, reason_code=reason, before_commit=hook
        )

    return call.run(
        action, lambda done: json_saved(200, present.order(done, services.tracking_base_url))
    )
