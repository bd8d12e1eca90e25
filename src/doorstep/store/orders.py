"""Orders with their parcels; listing by keyset pagination, newest first."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, insert, or_, select, update
from sqlalchemy.orm import Session

from doorstep.domain import calendar
from doorstep.domain.access import Principal, Reach
from doorstep.domain.chain import ParcelChain
from doorstep.domain.errors import InvalidValue
from doorstep.domain.events import SeenAggregates
from doorstep.domain.model import (
    Address,
    AddressType,
    GeoPoint,
    Order,
    Priority,
    Recipient,
    ServiceLevel,
    TimeWindow,
)
from doorstep.services.ports import (
    PLANNABLE_STATES,
    SEARCH_FIELDS,
    OrderQuery,
    Page,
    StaleObject,
)
from doorstep.store.base import IN_CHUNK, SqlRepository
from doorstep.store.crypto import FieldCipher, seal, unseal
from doorstep.store.parcels import (
    SqlParcelRepository,
    chain_of,
    parcel_columns,
    parcel_to_domain,
    write_parcel,
)
from doorstep.store.scoping import pk_of, scoped, visible
from doorstep.store.tables import BrandRow, HubRow, OrderRow, ParcelRow

MAX_PAGE = 500


def encode_cursor(created_at: datetime, public_id: str) -> str:
    raw = json.dumps([created_at.isoformat(), public_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        stamp, public_id = json.loads(raw)
        moment = datetime.fromisoformat(stamp)
        if calendar.moment_problem(moment) is not None or not isinstance(public_id, str):
            raise ValueError(cursor)
    except (ValueError, TypeError, binascii.Error) as error:
        raise InvalidValue("cursor", "is not a cursor from a previous page") from error
    return moment, public_id


class SqlOrderRepository(SqlRepository):
    """Orders with their parcels; what it stores is marked seen, for the outbox at commit."""

    def __init__(
        self,
        session: Session,
        principal: Principal,
        cipher: FieldCipher,
        *,
        seen: SeenAggregates,
        parcels: SqlParcelRepository,
    ) -> None:
        super().__init__(session, principal, cipher)
        self.seen = seen
        self.parcels = parcels

    def add(self, order: Order) -> None:
        """Insert the order and its parcels (with any history they already have)."""
        self._refuse_recipient()
        _check_parcels(order)
        with self.savepoint():
            brand_pk = pk_of(self.session, self.principal, BrandRow, order.brand_id, "brand_id")
            row = self._to_row(order, brand_pk)
            self.session.add(row)
            for parcel in order.parcels:
                parcel_row = ParcelRow(public_id=parcel.id, brand_pk=brand_pk, version=1)
                row.parcels.append(parcel_row)
                write_parcel(self.session, self.principal, parcel_row, parcel)
        for parcel in order.parcels:
            parcel.version = 1
        self.seen.add(order)

    def save(self, order: Order) -> None:
        """Save the parcels that changed (each version-checked); the order row never changes."""
        for parcel in order.parcels:
            if parcel.new_events:
                self.parcels.save(parcel)
        self.seen.add(order)

    def save_wishes(self, order: Order) -> None:
        """Store what a recipient may change (access note and code, window, safe place,
        neighbour, more time, delivery day), version-checked: of two tabs changing the
        order at once, the second gets :class:`StaleObject`. Its events go to the outbox."""
        statement = (
            update(OrderRow)
            .where(OrderRow.public_id == order.id, OrderRow.version == order.version)
            .where(*_visible(self.principal))
            .values(**self._wishes(order), version=order.version + 1)
            .execution_options(synchronize_session=False)
        )
        with self.savepoint():
            done = self.session.execute(statement)
        if done.rowcount != 1:  # type: ignore[attr-defined]
            raise StaleObject(f"order {order.id} changed meanwhile")
        order.version += 1
        self.save(order)

    def add_all(self, orders: Sequence[Order]) -> None:
        """Insert new orders as :meth:`add` does, in two multi-row INSERTs (their
        ``order.created`` events reach the outbox at commit, as every event does).

        Every row is prepared (columns, encryption) before the first statement,
        and the transaction begins with that statement: on SQLite the write lock is taken
        only when the rows are ready, and held for the INSERTs alone.
        """
        self._refuse_recipient()
        for order in orders:
            _check_parcels(order)
            if any(parcel.events or parcel.vehicle_id for parcel in order.parcels):
                raise InvalidValue("parcels", "a new order's parcels have no history yet")
        prepared = [(order, self._columns(order)) for order in orders]
        keys = _Keys(self.session, self.principal)
        with self.savepoint():
            rows = [
                columns | {"brand_pk": keys.brand(order.brand_id), "hub_pk": keys.hub(order.hub_id)}
                for order, columns in prepared
            ]
            inserted = self.session.execute(
                insert(OrderRow).returning(OrderRow.public_id, OrderRow.pk), rows
            )
            order_pks: dict[str, int] = {public_id: pk for public_id, pk in inserted}
            parcels = [
                parcel_columns(parcel)
                | {
                    "public_id": parcel.id,
                    "order_pk": order_pks[order.id],
                    "brand_pk": keys.brand(order.brand_id),
                    "version": 1,
                }
                for order in orders
                for parcel in order.parcels
            ]
            self.session.execute(insert(ParcelRow), parcels)
        for order in orders:
            for parcel in order.parcels:
                parcel.version = 1
            self.seen.add(order)

    def _refuse_recipient(self) -> None:
        if self.principal.reach is Reach.OWN_ORDER:
            raise InvalidValue("order", "a recipient may change their own order, not add one")

    def get(self, order_id: str) -> Order | None:
        row = self.session.scalar(self._select().where(OrderRow.public_id == order_id))
        return None if row is None else self._to_domain(row)

    def get_many(self, order_ids: Sequence[str]) -> dict[str, Order]:
        found: dict[str, Order] = {}
        wanted = list(dict.fromkeys(order_ids))
        for first in range(0, len(wanted), IN_CHUNK):
            chunk = wanted[first : first + IN_CHUNK]
            for row in self.session.scalars(self._select().where(OrderRow.public_id.in_(chunk))):
                found[row.public_id] = self._to_domain(row)
        return found

    def chains(self, order_id: str) -> Sequence[ParcelChain] | None:
        """Each parcel's stored history with its hashes, or None when the order is not
        visible; read as stored, never through the model (see :func:`chain_of`)."""
        row = self.session.scalar(self._select().where(OrderRow.public_id == order_id))
        return None if row is None else [chain_of(parcel) for parcel in row.parcels]

    def get_by_reference(self, brand_id: str, reference: str) -> Order | None:
        query = self._select().where(
            OrderRow.reference == reference,
            OrderRow.brand_pk == _brand_pk(brand_id),
        )
        row = self.session.scalar(query)
        return None if row is None else self._to_domain(row)

    def get_by_tracking_token(self, token: str) -> Order | None:
        row = self.session.scalar(self._select().where(OrderRow.tracking_token == token))
        return None if row is None else self._to_domain(row)

    def list(self, query: OrderQuery) -> Page[Order]:
        if not 1 <= query.limit <= MAX_PAGE:
            raise InvalidValue("limit", f"must be between 1 and {MAX_PAGE}")
        statement = self._filtered(query)
        if query.cursor is not None:
            moment, public_id = decode_cursor(query.cursor)
            statement = statement.where(
                or_(
                    OrderRow.created_at < moment,
                    and_(OrderRow.created_at == moment, OrderRow.public_id < public_id),
                )
            )
        statement = statement.order_by(OrderRow.created_at.desc(), OrderRow.public_id.desc()).limit(
            query.limit + 1
        )
        rows = list(self.session.scalars(statement))
        more = len(rows) > query.limit
        rows = rows[: query.limit]
        cursor = encode_cursor(rows[-1].created_at, rows[-1].public_id) if more else None
        return Page(items=[self._to_domain(row) for row in rows], next_cursor=cursor)

    def list_for_planning(
        self, hub_id: str, day_start: datetime, day_end: datetime
    ) -> Sequence[Order]:
        waiting = exists().where(
            ParcelRow.order_pk == OrderRow.pk, ParcelRow.state.in_(PLANNABLE_STATES)
        )
        own_hub = select(HubRow.pk).where(HubRow.public_id == hub_id).scalar_subquery()
        in_day = and_(OrderRow.window_start < day_end, OrderRow.window_end > day_start)
        statement = self._select().where(
            waiting,
            or_(OrderRow.hub_pk.is_(None), OrderRow.hub_pk == own_hub),
            or_(OrderRow.window_start.is_(None), in_day),
        )
        rows = self.session.scalars(statement.order_by(OrderRow.created_at, OrderRow.pk))
        return [self._to_domain(row) for row in rows]

    def _select(self) -> Select[OrderRow]:
        return scoped(self.principal, OrderRow)

    def _filtered(self, query: OrderQuery) -> Select[OrderRow]:
        statement = self._select()
        if query.brand_id is not None and self.principal.sees_all_brands:
            statement = statement.where(OrderRow.brand_pk == _brand_pk(query.brand_id))
        if query.state is not None:
            statement = statement.where(
                exists().where(ParcelRow.order_pk == OrderRow.pk, ParcelRow.state == query.state)
            )
        if query.reference is not None:
            statement = statement.where(OrderRow.reference == query.reference)
        if query.created_from is not None:
            statement = statement.where(OrderRow.created_at >= query.created_from)
        if query.created_to is not None:
            statement = statement.where(OrderRow.created_at < query.created_to)
        if query.search:
            statement = statement.where(_matching(query.search, query.search_in))
        return statement

    def _to_row(self, order: Order, brand_pk: int) -> OrderRow:
        hub_pk = None
        if order.hub_id is not None:
            hub_pk = pk_of(self.session, self.principal, HubRow, order.hub_id, "hub_id")
        return OrderRow(**self._columns(order), brand_pk=brand_pk, hub_pk=hub_pk)

    def _columns(self, order: Order) -> dict[str, Any]:
        """The order's own columns (not its keys), sealed where they must be."""
        address, recipient = order.address, order.recipient
        return {
            "public_id": order.id,
            "reference": order.reference,
            "recipient_name": recipient.name,
            "recipient_phone": seal(self.cipher, recipient.phone),
            "recipient_email": recipient.email,
            "address_lines": list(address.lines),
            "postcode": address.postcode,
            "city": address.city,
            "lat": address.point.lat if address.point else None,
            "lon": address.point.lon if address.point else None,
            "address_type": address.address_type.value,
            "service_level": order.service_level.value,
            "priority": order.priority.value,
            "tracking_token": order.tracking_token,
            "created_at": order.created_at,
            "delivery_pin_hash": seal(self.cipher, order.delivery_pin_hash),
            "minimum_age": order.minimum_age,
            **self._wishes(order),
            "version": order.version,
        }

    def _wishes(self, order: Order) -> dict[str, Any]:
        """The columns a recipient may change after the order is made (sealed as needed)."""
        address = order.address
        return {
            "access_notes": seal(self.cipher, address.access_notes),
            "access_code": seal(self.cipher, address.access_code),
            "window_start": order.window.start if order.window else None,
            "window_end": order.window.end if order.window else None,
            "closed_start": order.closed.start if order.closed else None,
            "closed_end": order.closed.end if order.closed else None,
            "safe_place": seal(self.cipher, order.safe_place),
            "safe_place_choice": seal(self.cipher, order.safe_place_choice),
            "neighbour": seal(self.cipher, order.neighbour),
            "needs_more_time": order.needs_more_time,
            "delivery_date": order.delivery_date,
        }

    def _to_domain(self, row: OrderRow) -> Order:
        point = None
        if row.lat is not None and row.lon is not None:
            point = GeoPoint(row.lat, row.lon)
        window = None
        if row.window_start is not None and row.window_end is not None:
            window = TimeWindow(row.window_start, row.window_end)
        closed = None
        if row.closed_start is not None and row.closed_end is not None:
            closed = TimeWindow(row.closed_start, row.closed_end)
        return Order(
            id=row.public_id,
            brand_id=row.brand.public_id,
            reference=row.reference,
            recipient=Recipient(
                name=row.recipient_name,
                phone=unseal(self.cipher, row.recipient_phone),
                email=row.recipient_email,
            ),
            address=Address(
                lines=tuple(row.address_lines),
                postcode=row.postcode,
                point=point,
                address_type=AddressType(row.address_type),
                access_notes=unseal(self.cipher, row.access_notes),
                access_code=unseal(self.cipher, row.access_code),
                city=row.city,
            ),
            service_level=ServiceLevel(row.service_level),
            tracking_token=row.tracking_token,
            created_at=row.created_at,
            parcels=[parcel_to_domain(parcel) for parcel in row.parcels],
            window=window,
            closed=closed,
            priority=Priority(row.priority),
            hub_id=row.hub.public_id if row.hub else None,
            delivery_pin_hash=unseal(self.cipher, row.delivery_pin_hash),
            minimum_age=row.minimum_age,
            safe_place=unseal(self.cipher, row.safe_place),
            safe_place_choice=unseal(self.cipher, row.safe_place_choice),
            neighbour=unseal(self.cipher, row.neighbour),
            needs_more_time=row.needs_more_time,
            delivery_date=row.delivery_date,
            version=row.version,
        )


def _visible(principal: Principal) -> list[ColumnElement[bool]]:
    condition = visible(principal, OrderRow)
    return [] if condition is None else [condition]


def _like(text: str) -> str:
    """``%text%`` with LIKE's own wildcards taken literally (escaped with ``\\``)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _matching(text: str, field: str) -> ColumnElement[bool]:
    """The console's search: see :class:`~doorstep.services.ports.OrderQuery`."""
    if field not in SEARCH_FIELDS:
        raise InvalidValue("search_in", f"must be one of {', '.join(SEARCH_FIELDS)}")
    text = text.strip()
    compact = "".join(text.split()).upper()
    conditions = {
        "reference": func.lower(OrderRow.reference) == text.lower(),
        "barcode": exists().where(
            ParcelRow.order_pk == OrderRow.pk, func.upper(ParcelRow.barcode) == text.upper()
        ),
        "postcode": func.replace(func.upper(OrderRow.postcode), " ", "").like(
            _like(compact), escape="\\"
        ),
        "name": func.lower(OrderRow.recipient_name).like(_like(text.lower()), escape="\\"),
    }
    if field == "all":
        return or_(*conditions.values())
    return conditions[field]


def _brand_pk(brand_id: str) -> object:
    return (
        select(BrandRow.pk).where(BrandRow.public_id == brand_id).correlate(None).scalar_subquery()
    )


def _check_parcels(order: Order) -> None:
    for parcel in order.parcels:
        if parcel.order_id != order.id or parcel.brand_id != order.brand_id:
            raise InvalidValue("parcels", f"parcel {parcel.id} belongs to another order")


class _Keys:
    """Brand and hub keys for many orders, each looked up once."""

    def __init__(self, session: Session, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        self._found: dict[tuple[str, str], int] = {}

    def brand(self, brand_id: str) -> int:
        return self._key(BrandRow, brand_id, "brand_id")

    def hub(self, hub_id: str | None) -> int | None:
        return None if hub_id is None else self._key(HubRow, hub_id, "hub_id")

    def _key(self, row_type: type[BrandRow | HubRow], public_id: str, field: str) -> int:
        if (field, public_id) not in self._found:
            self._found[field, public_id] = pk_of(
                self.session, self.principal, row_type, public_id, field
            )
        return self._found[field, public_id]
