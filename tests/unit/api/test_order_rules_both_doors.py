"""The same order through both doors, the JSON API and the CSV import, gets the same verdict.

Each generated order is written once as the body of ``POST /v1/orders`` (checked by the
API schema, turned into a command, created by the service) and once as a row of an order
CSV (read by the CSV reader, created by the same service). Either both doors create the
same command, or both refuse it naming the same field (the rule's identity, mapped from
the API's error path and from the CSV column) with the same reason.

Orders are generated valid, then at most one field is drawn from a wide range (limits
and just past them, bad shapes, control characters), so each refusal has one cause.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from doorstep.api.problems import field_errors
from doorstep.api.routers.orders import to_command
from doorstep.api.schemas.orders import OrderCreate
from doorstep.domain import ids
from doorstep.domain.access import Principal
from doorstep.domain.errors import InvalidValue
from doorstep.domain.order_rules import PLACES, OrderField, field_at
from doorstep.services.orders.use_cases import CreateOrder, create_order
from doorstep.services.sheets.order_csv import AcceptedRow, RejectedRow, parse_orders
from tests import factories
from tests.unit.fakes import FakeClock, FakeDatabase, FakeUnitOfWork

Row = dict[str, Any]
Verdict = tuple[str, Any]  # ("accepted", command) or ("refused", {(field, reason)})
_ADAPTER = TypeAdapter(OrderCreate)
_BY_COLUMN = {place.csv: field for field, place in PLACES.items()}
_PRINTABLE = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp"))
_ODD = st.sampled_from(["\x00", "\x1b", "\x7f", "\x85", "\n", "\t", "=", "(", " ", ",", '"'])
_TEXT_CHARS = st.one_of(_PRINTABLE, _ODD)


def _text(max_size: int, chars: st.SearchStrategy[str] = _TEXT_CHARS) -> st.SearchStrategy[str]:
    """Text that is not blank: a blank cell means 'not given', a blank JSON string does not."""
    return st.text(chars, min_size=1, max_size=max_size).filter(lambda t: t.strip() != "")


def _long_text(limit: int) -> st.SearchStrategy[str]:
    """Text around a length limit (a little under to a little over)."""
    return st.integers(limit - 2, limit + 2).map(lambda n: "x" * n)


def _number(low: float, high: float) -> st.SearchStrategy[float]:
    """Decimals with at most two places, as a person types them (no exponent)."""
    return st.integers(round(low * 100), round(high * 100)).map(lambda n: n / 100)


_MOMENT = st.integers(0, 14 * 24 * 4).map(
    lambda quarter: datetime(2026, 11, 26, tzinfo=UTC) + timedelta(minutes=15 * quarter)
)
WIDE: dict[str, st.SearchStrategy[Any]] = {
    "reference": st.one_of(
        _text(70, st.sampled_from("AZaz09_.:/#-=+@( ")), st.just('=HYPERLINK("x")'), _text(20)
    ),
    "recipient_name": st.one_of(_text(30), _long_text(200)),
    "recipient_phone": st.one_of(
        st.none(), _text(20, st.sampled_from("+0123456789 ()-.x")), _text(5)
    ),
    "recipient_email": st.one_of(
        st.none(),
        st.sampled_from(["Ada@Example.COM", "a@b", "a b@c.uk", "ada@example.com\x00", "@x.uk"]),
        st.emails().filter(lambda e: len(e) < 300),
    ),
    "address_line1": st.one_of(_text(30), _long_text(200)),
    "address_line2": st.one_of(st.none(), _text(30)),
    "city": st.one_of(st.none(), _text(20), _long_text(100)),
    "postcode": st.one_of(
        st.sampled_from(
            ["nw1 9ll", "NW19LL", " WC2A  3HP ", "GIR 0AA", "12345", "QQ1 1QQ", "W1", "EC1A 1BB"]
        ),
        _text(9, st.sampled_from("ABCNW0123456789 ")),
    ),
    "lat": st.one_of(st.none(), _number(-95, 95)),
    "lon": st.one_of(st.none(), _number(-185, 185)),
    "access_notes": st.one_of(st.none(), _text(40), _long_text(500)),
    "access_code": st.one_of(st.none(), _text(24, st.sampled_from("0123456789#*AB -"))),
    "window_start": st.one_of(st.none(), _MOMENT),
    "window_end": st.one_of(st.none(), _MOMENT),
    "hub_id": st.one_of(
        st.none(),
        st.just("hub_0123"),
        _text(16, st.sampled_from("0123456789abcdefghjkmnpqrstvwxyz")).map(lambda t: "hub_" + t),
    ),
    "parcel_count": st.integers(0, 105),
    "weight_kg": st.one_of(_number(-1, 75), st.sampled_from([0.0, 70.0, 70.01])),
    "length_cm": st.one_of(st.none(), _number(-1, 305)),
    "width_cm": st.one_of(st.none(), _number(0, 305)),
    "height_cm": st.one_of(st.none(), st.sampled_from([300.0, 300.01, 0.0, 12.5])),
}


def _valid_order() -> Row:
    start = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
    return {
        "reference": f"SHOP-{ids.new_barcode()}",
        "recipient_name": "Ada Lovelace",
        "recipient_phone": "+44 7700 900123",
        "recipient_email": "ada@example.com",
        "address_line1": "Flat 3",
        "address_line2": "12 Gate Street",
        "city": "London",
        "postcode": "WC2A 3HP",
        "lat": 51.5172,
        "lon": -0.1192,
        "address_type": "flat",
        "access_notes": "Ring twice",
        "access_code": "4711",
        "service_level": "next_day",
        "window_start": start,
        "window_end": start + timedelta(hours=2),
        "priority": "normal",
        "hub_id": None,
        "parcel_count": 2,
        "weight_kg": 1.2,
        "length_cm": 30.0,
        "width_cm": 20.0,
        "height_cm": 10.0,
    }


@st.composite
def orders(draw: st.DrawFn) -> Row:
    """A valid order with at most one field drawn from its wide range."""
    order = _valid_order()
    column = draw(st.one_of(st.none(), st.sampled_from(sorted(WIDE))))
    if column is not None:
        order[column] = draw(WIDE[column])
    return order


def as_payload(order: Row) -> dict[str, Any]:
    """The order as the JSON body of ``POST /v1/orders``; absent values are left out."""

    def present(**fields: Any) -> dict[str, Any]:
        return {key: value for key, value in fields.items() if value is not None}

    window = None
    if order["window_start"] is not None or order["window_end"] is not None:
        window = present(
            start=order["window_start"] and order["window_start"].isoformat(),
            end=order["window_end"] and order["window_end"].isoformat(),
        )
    lines = [line for line in (order["address_line1"], order["address_line2"]) if line]
    parcel = present(
        weight_kg=order["weight_kg"],
        length_cm=order["length_cm"],
        width_cm=order["width_cm"],
        height_cm=order["height_cm"],
    )
    return present(
        reference=order["reference"],
        recipient=present(
            name=order["recipient_name"],
            phone=order["recipient_phone"],
            email=order["recipient_email"],
        ),
        address=present(
            lines=lines,
            postcode=order["postcode"],
            city=order["city"],
            lat=order["lat"],
            lon=order["lon"],
            address_type=order["address_type"],
            access_notes=order["access_notes"],
            access_code=order["access_code"],
        ),
        service_level=order["service_level"],
        window=window,
        priority=order["priority"],
        hub_id=order["hub_id"],
        parcels=[parcel] * order["parcel_count"],
    )


def as_csv(order: Row) -> bytes:
    """The order as a one-row order CSV; absent values are empty cells."""

    def cell(value: Any) -> str:
        if value is None:
            return ""
        return value.isoformat() if isinstance(value, datetime) else str(value)

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(order)
    writer.writerow([cell(value) for value in order.values()])
    return out.getvalue().encode()


def _through_service(db: FakeDatabase, principal: Principal, cmd: CreateOrder) -> Verdict:
    try:
        create_order(FakeUnitOfWork(db, principal), cmd, clock=FakeClock())
    except InvalidValue as error:
        return "refused", {(error.field, error.reason)}
    return "accepted", cmd


def through_api(db: FakeDatabase, principal: Principal, order: Row) -> Verdict:
    try:
        cmd = to_command(_ADAPTER.validate_json(json.dumps(as_payload(order))))
    except ValidationError as error:
        return "refused", {
            (field_at(e["field"]), e["reason"]) for e in field_errors(error.errors())
        }
    except InvalidValue as error:
        return "refused", {(field_at(error.field), error.reason)}
    verdict, detail = _through_service(db, principal, cmd)
    if verdict == "refused":
        assert isinstance(detail, set)
        return verdict, {(field_at(field), reason) for field, reason in detail}
    return verdict, detail


def through_csv(db: FakeDatabase, principal: Principal, order: Row) -> Verdict:
    (result,) = list(parse_orders([as_csv(order)]))
    if isinstance(result, RejectedRow):
        return "refused", {(_BY_COLUMN.get(e.column or ""), e.reason) for e in result.errors}
    assert isinstance(result, AcceptedRow), result
    verdict, detail = _through_service(db, principal, result.command)
    if verdict == "refused":
        assert isinstance(detail, set)
        return verdict, {(_BY_COLUMN.get(field), reason) for field, reason in detail}
    return verdict, detail


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(orders())
def test_both_doors_give_the_same_verdict(order: Row) -> None:
    brand = factories.brand()
    principal = Principal.brand(brand.id, ids.new_id("key"))
    api_db, csv_db = FakeDatabase(), FakeDatabase()
    api_db.brands[brand.id] = csv_db.brands[brand.id] = brand
    by_api = through_api(api_db, principal, order)
    by_csv = through_csv(csv_db, principal, order)
    event(by_api[0] if by_api[0] == "accepted" else str(sorted(str(f) for f, _ in by_api[1])))
    assert by_api == by_csv
    if by_api[0] == "refused":
        assert all(field is not None for field, _ in by_api[1]), by_api  # a field is named


def test_the_limits_are_the_same_through_both_doors() -> None:
    """Examples of the verdicts the property covers, one per limit."""
    db, principal = FakeDatabase(), Principal.brand("brd_0000000000000000", "key_x")
    heavy = _valid_order() | {"weight_kg": 70.5}
    assert through_csv(db, principal, heavy) == (
        "refused",
        {(OrderField.WEIGHT_KG, "must be at most 70 kg, not 70.5")},
    )
    assert through_api(db, principal, heavy) == through_csv(db, principal, heavy)
