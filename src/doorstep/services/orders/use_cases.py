"""Order use cases: create (one or a batch), cancel, read. Each function is one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from doorstep.domain import ids, order_rules
from doorstep.domain.errors import DomainError, InvalidValue
from doorstep.domain.model import Address, Order, Priority, Recipient, ServiceLevel, TimeWindow
from doorstep.domain.parcel import Dimensions, Parcel
from doorstep.domain.proof import hash_pin
from doorstep.services.access import require_id, require_order_writer, require_reference
from doorstep.services.errors import NotFound, ServiceError
from doorstep.services.idempotency import BeforeCommit, commit_with
from doorstep.services.ports import Clock, Conflict, Geocoder, OrderQuery, Page, UnitOfWork
from doorstep.services.races import retried_on_race

MAX_PARCELS_PER_ORDER = order_rules.MAX_PARCELS_PER_ORDER
MAX_BATCH = 1000


@dataclass(frozen=True, slots=True)
class ParcelSpec:
    weight_kg: float
    dimensions: Dimensions | None = None


@dataclass(frozen=True, slots=True)
class CreateOrder:
    """A brand's new order, already in domain terms (any edge: API, CSV, shop webhook)."""

    reference: str
    recipient: Recipient
    address: Address
    service_level: ServiceLevel
    parcels: tuple[ParcelSpec, ...]
    window: TimeWindow | None = None
    closed: TimeWindow | None = None  # inside the window: nobody there (order_rules.closed)
    priority: Priority = Priority.NORMAL
    hub_id: str | None = None
    brand_id: str | None = None  # operators must name the brand; brands may omit it
    # Checked by order_rules; only its hash is kept, and it is never in a repr (logs).
    delivery_pin: str | None = field(default=None, repr=False)
    minimum_age: int | None = None
    safe_place: str | None = None


@dataclass(frozen=True, slots=True)
class BatchItem:
    """One line of a batch answer: the created order, or why this item was refused."""

    index: int
    order: Order | None = None
    error: str | None = None
    field: str | None = None
    status: int = 201


def order_status(order: Order) -> str:
    """One word for the whole order: the parcels' common state, else ``in_progress``."""
    states = {parcel.state for parcel in order.parcels}
    if len(states) == 1:
        return next(iter(states)).value
    return "in_progress"


def resolve_brand(uow: UnitOfWork, requested: str | None) -> str:
    """The brand a new order belongs to: the caller's own, or the one an operator names."""
    principal = uow.principal
    if principal.is_brand:
        assert principal.brand_id is not None
        if requested not in (None, principal.brand_id):
            raise InvalidValue("brand_id", "must be omitted or be your own brand")
        return principal.brand_id
    if requested is None:
        raise InvalidValue("brand_id", "operators must say which brand the order is for")
    require_reference(requested, "brd", uow.brands.get, "brand_id", "brand")
    return requested


def placed(address: Address, postcodes: Geocoder | None) -> Address:
    """The address with its point: as given, else its postcode's centroid looked up now,
    at intake, so every plan finds it there. An unknown postcode keeps no point (its
    parcels are then reported ``unroutable_address`` by the planner)."""
    if address.point is not None or postcodes is None:
        return address
    return replace(address, point=postcodes.centroid(address.postcode))


def _build_order(
    uow: UnitOfWork, cmd: CreateOrder, now: datetime, postcodes: Geocoder | None
) -> Order:
    """Check the command against what is stored and make the new order (not yet added)."""
    if not 1 <= len(cmd.parcels) <= MAX_PARCELS_PER_ORDER:
        raise InvalidValue("parcels", f"an order has 1 to {MAX_PARCELS_PER_ORDER} parcels")
    brand_id = resolve_brand(uow, cmd.brand_id)
    require_reference(cmd.hub_id, "hub", uow.hubs.get, "hub_id", "hub")
    if uow.orders.get_by_reference(brand_id, cmd.reference) is not None:
        raise Conflict(f"An order with reference {cmd.reference!r} already exists.")
    order_id = ids.new_id("ord")
    parcels = [
        Parcel(
            id=ids.new_id("par"),
            order_id=order_id,
            brand_id=brand_id,
            barcode=ids.new_barcode(),
            weight_kg=spec.weight_kg,
            dimensions=spec.dimensions,
        )
        for spec in cmd.parcels
    ]
    return Order.create(
        id=order_id,
        brand_id=brand_id,
        reference=cmd.reference,
        recipient=cmd.recipient,
        address=placed(cmd.address, postcodes),
        service_level=cmd.service_level,
        tracking_token=ids.new_tracking_token(),
        created_at=now,
        parcels=parcels,
        window=cmd.window,
        closed=_closed(cmd),
        priority=cmd.priority,
        hub_id=cmd.hub_id,
        # Salted with the order's id: two orders with one PIN keep different hashes.
        delivery_pin_hash=None
        if cmd.delivery_pin is None
        else hash_pin(cmd.delivery_pin, order_id),
        minimum_age=cmd.minimum_age,
        safe_place=cmd.safe_place,
    )


def _closed(cmd: CreateOrder) -> TimeWindow | None:
    """The closed period, refused here whichever door it came through."""
    if cmd.closed is None:
        return None
    try:
        order_rules.closed(cmd.window, cmd.closed.start, cmd.closed.end)
    except order_rules.RuleBroken as broken:
        raise InvalidValue(broken.api_path(), broken.reason) from None
    return cmd.closed


def create_order(
    uow: UnitOfWork,
    cmd: CreateOrder,
    *,
    clock: Clock,
    postcodes: Geocoder | None = None,
    before_commit: BeforeCommit[Order] | None = None,
) -> Order:
    """Create one order with its parcels (state ``created``, barcodes, tracking token).

    ``postcodes`` places an address given without lat/lon (see :func:`placed`)."""
    with uow:
        require_order_writer(uow.principal)
        order = _build_order(uow, cmd, clock.now(), postcodes)
        uow.orders.add(order)
        commit_with(uow, order, before_commit)
    return order


def create_orders_batch(
    uow: UnitOfWork,
    cmds: Sequence[CreateOrder | DomainError],
    *,
    clock: Clock,
    postcodes: Geocoder | None = None,
    before_commit: BeforeCommit[list[BatchItem]] | None = None,
) -> list[BatchItem]:
    """Create every valid order of a batch in one transaction; report each refused one.

    An item may arrive already refused (a :class:`DomainError` from the edge that parsed it)
    so that the answer keeps the caller's numbering. A concurrent duplicate reference found
    only at commit fails the whole batch with ``Conflict``; retrying it is safe.
    """
    if len(cmds) > MAX_BATCH:
        raise InvalidValue("orders", f"a batch holds at most {MAX_BATCH} orders")
    with uow:
        require_order_writer(uow.principal)
        results = _build_batch(uow, cmds, clock.now(), postcodes)
        commit_with(uow, results, before_commit)
    return results


def create_orders_all_or_nothing(
    uow: UnitOfWork,
    cmds: Sequence[CreateOrder],
    *,
    clock: Clock,
    postcodes: Geocoder | None = None,
    before_commit: BeforeCommit[list[BatchItem]] | None = None,
) -> list[BatchItem]:
    """Create every order, or none of them, writing in one short transaction.

    Every order is checked and built first in a reading transaction, which takes no lock;
    only then are they all written, in one writing transaction of a few multi-row INSERTs.
    On SQLite the write lock is so held for the write alone, not while thousands of rows
    are checked one by one, and other brands' writes queue briefly instead of timing out.
    A reference stored by someone else between the two transactions is refused by the
    database at the write: ``Conflict`` and nothing stored; running it again reports it.

    When any item is refused nothing is stored and only the refused items are returned
    (``before_commit`` is then not called: there is nothing to commit). The caller bounds
    the size: unlike :func:`create_orders_batch` there is no cap here, because an atomic
    CSV import may hold more orders than one API batch.
    """
    require_order_writer(uow.principal)
    with uow.read_only():
        results = _build_batch(uow, cmds, clock.now(), postcodes, store=False)
    refused = [item for item in results if item.order is None]
    if refused:
        return refused
    with uow:
        uow.orders.add_all([item.order for item in results if item.order is not None])
        commit_with(uow, results, before_commit)
    return results


def _build_batch(
    uow: UnitOfWork,
    cmds: Sequence[CreateOrder | DomainError],
    now: datetime,
    postcodes: Geocoder | None,
    *,
    store: bool = True,
) -> list[BatchItem]:
    """Check and build each order; ``store`` adds each one as soon as it is built."""
    seen: set[tuple[str, str]] = set()
    return [
        _batch_item(uow, index, cmd, now, seen, postcodes, store) for index, cmd in enumerate(cmds)
    ]


def _batch_item(
    uow: UnitOfWork,
    index: int,
    cmd: CreateOrder | DomainError,
    now: datetime,
    seen: set[tuple[str, str]],
    postcodes: Geocoder | None,
    store: bool,
) -> BatchItem:
    if isinstance(cmd, DomainError):
        return _refused(index, cmd)
    try:
        order = _build_order(uow, cmd, now, postcodes)
        if (order.brand_id, order.reference) in seen:
            raise Conflict(f"Reference {cmd.reference!r} appears twice in this batch.")
    except (DomainError, Conflict, ServiceError) as error:
        return _refused(index, error)
    seen.add((order.brand_id, order.reference))
    if store:
        uow.orders.add(order)
    return BatchItem(index=index, order=order)


def _refused(index: int, error: Exception) -> BatchItem:
    if isinstance(error, InvalidValue):
        return BatchItem(index=index, error=error.reason, field=error.field, status=422)
    if isinstance(error, Conflict):
        return BatchItem(index=index, error=error.what, status=409)
    message = getattr(error, "message", str(error))
    return BatchItem(index=index, error=message, status=422)


def get_order(uow: UnitOfWork, order_id: str) -> Order:
    require_id(order_id, "ord", "order")
    with uow.read_only():
        order = uow.orders.get(order_id)
    if order is None:
        raise NotFound("order", order_id)
    return order


def list_orders(uow: UnitOfWork, query: OrderQuery) -> Page[Order]:
    with uow.read_only():
        try:
            return uow.orders.list(query)
        except ValueError as error:  # the store could not read the cursor
            raise InvalidValue("cursor", "is not a cursor this list gave out") from error


def cancel_order(
    uow: UnitOfWork,
    order_id: str,
    *,
    clock: Clock,
    reason_code: str | None = None,
    before_commit: BeforeCommit[Order] | None = None,
) -> Order:
    """Cancel all parcels of an order, or refuse (409) when one already left the hub.

    Cancelling an order that is already cancelled changes nothing and succeeds, also when
    the copies of one cancel race: the loser runs again and finds the order cancelled.
    """
    require_id(order_id, "ord", "order")
    return retried_on_race(lambda: _cancel_once(uow, order_id, clock, reason_code, before_commit))


def _cancel_once(
    uow: UnitOfWork,
    order_id: str,
    clock: Clock,
    reason_code: str | None,
    before_commit: BeforeCommit[Order] | None,
) -> Order:
    with uow:
        require_order_writer(uow.principal)
        order = uow.orders.get(order_id)
        if order is None:
            raise NotFound("order", order_id)
        order.cancel(actor=uow.principal.actor, at=clock.now(), reason_code=reason_code)
        uow.orders.save(order)
        commit_with(uow, order, before_commit)
    return order


def get_parcel(uow: UnitOfWork, parcel_id: str) -> Parcel:
    require_id(parcel_id, "par", "parcel")
    with uow.read_only():
        parcel = uow.parcels.get(parcel_id)
    if parcel is None:
        raise NotFound("parcel", parcel_id)
    return parcel
