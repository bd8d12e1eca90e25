"""Aggregates record their own events, named in domain/events.py, with the declared payloads."""

from __future__ import annotations

from datetime import timedelta

from doorstep.domain import ids
from doorstep.domain.events import PAYLOAD_FIELDS, DomainEvent, EventName, SeenAggregates
from doorstep.domain.parcel import TRANSITIONS, Parcel, ParcelAction, ParcelState
from doorstep.domain.scan import HubScan, ScanKind, ScanOutcome, ScanTarget
from tests import factories
from tests.factories import MORNING


def _names(events: list[DomainEvent]) -> list[str]:
    return [event.name for event in events]


def _has_declared_fields(event: DomainEvent) -> bool:
    return tuple(event.payload) == PAYLOAD_FIELDS[EventName(event.name)]


def _scan(outcome: ScanOutcome, parcel_id: str | None = None) -> HubScan:
    return HubScan.create(
        id=ids.new_id("scn"),
        hub_id="hub_kentish",
        client_event_id="scanner-7-000123",
        barcode="DS0000NOBODY",
        kind=ScanKind.RECEIVE,
        target=ScanTarget(),
        scanned_at=MORNING,
        recorded_at=MORNING + timedelta(seconds=2),
        actor="usr_hub",
        outcome=outcome,
        message="...",
        parcel_id=parcel_id,
        parcel_state=None if parcel_id is None else "delivered",
    )


def test_every_state_a_parcel_can_move_to_has_an_event_name_and_every_parcel_name_a_state() -> None:
    targets = {state for moves in TRANSITIONS.values() for state in moves.values()}
    parcel_names = {name for name in EventName if name.startswith("parcel.")}
    assert {EventName.for_parcel_state(state.value) for state in targets} == parcel_names
    assert ParcelState.CREATED not in targets  # a new parcel is announced by order.created


def test_a_new_order_records_order_created_with_its_parcels() -> None:
    order = factories.order(parcels=2)
    [created] = order.collect_events()
    assert created.name is EventName.ORDER_CREATED
    assert (created.aggregate_id, created.brand_id, created.occurred_at) == (
        order.id,
        order.brand_id,
        order.created_at,
    )
    assert created.payload["parcels"] == [
        {"parcel_id": p.id, "barcode": p.barcode} for p in order.parcels
    ]
    assert _has_declared_fields(created)
    assert order.collect_events() == []  # collected once


def test_an_order_rebuilt_by_the_constructor_records_nothing() -> None:
    order = factories.order()
    rebuilt = type(order)(
        id=order.id,
        brand_id=order.brand_id,
        reference=order.reference,
        recipient=order.recipient,
        address=order.address,
        service_level=order.service_level,
        tracking_token=order.tracking_token,
        created_at=order.created_at,
    )
    assert rebuilt.collect_events() == []


def test_cancelling_records_each_parcel_then_the_order_and_again_nothing() -> None:
    order = factories.order(parcels=2)
    order.collect_events()
    later = MORNING + timedelta(hours=1)
    order.cancel(actor="usr_disp", at=later, reason_code="brand_request")
    events = order.collect_events()
    assert _names(events) == ["parcel.cancelled", "parcel.cancelled", "order.cancelled"]
    assert events[-1].payload["parcel_ids"] == [p.id for p in order.parcels]
    assert all(e.occurred_at == later and _has_declared_fields(e) for e in events)
    order.cancel(actor="usr_disp", at=later)
    assert order.collect_events() == []


def test_each_parcel_transition_records_parcel_and_its_new_state() -> None:
    parcel = factories.parcel()
    parcel.apply(ParcelAction.RECEIVE, actor="usr_hub", at=MORNING, place="hub_kentish")
    parcel.apply(ParcelAction.SORT, actor="usr_hub", at=MORNING, bay="B4")
    events = parcel.collect_events()
    assert _names(events) == ["parcel.at_hub", "parcel.sorted"]
    assert [e.payload["sequence"] for e in events] == [1, 2]
    assert events[1].payload["details"] == {"bay": "B4"}
    assert all(_has_declared_fields(e) and e.brand_id == parcel.brand_id for e in events)


def test_replaying_a_parcels_history_records_nothing() -> None:
    parcel = factories.parcel()
    parcel.apply(ParcelAction.RECEIVE, actor="usr_hub", at=MORNING)
    replayed = Parcel.replay(
        id=parcel.id,
        order_id=parcel.order_id,
        brand_id=parcel.brand_id,
        barcode=parcel.barcode,
        weight_kg=parcel.weight_kg,
        events=parcel.events,
    )
    assert replayed.state is ParcelState.AT_HUB and replayed.collect_events() == []


def test_an_unknown_barcode_and_a_refused_parcel_record_events_and_an_accepted_scan_none() -> None:
    unknown = _scan(ScanOutcome.UNKNOWN_BARCODE)
    [event] = unknown.collect_events()
    assert (event.name, event.aggregate_id, event.brand_id) == (
        EventName.SCAN_UNKNOWN_BARCODE,
        unknown.id,
        None,
    )
    assert event.payload["scanned_at"] == MORNING.isoformat()
    assert _has_declared_fields(event)
    assert _scan(ScanOutcome.ACCEPTED, "par_1").collect_events() == []


def test_a_refused_or_wrong_hub_scan_of_a_parcel_records_scan_refused_for_no_brand() -> None:
    for outcome in (ScanOutcome.REFUSED, ScanOutcome.WRONG_HUB):
        scan = _scan(outcome, "par_1")
        [event] = scan.collect_events()
        assert (event.name, event.aggregate_id, event.brand_id) == (
            EventName.SCAN_REFUSED,
            scan.id,
            None,
        )
        assert event.payload["reason"] == outcome.value
        assert event.payload["parcel_id"] == "par_1" and event.payload["kind"] == "receive"
        assert _has_declared_fields(event)
    # A refusal without its parcel says nothing: nothing to put right.
    assert _scan(ScanOutcome.REFUSED).collect_events() == []


def test_an_aggregate_seen_twice_gives_its_events_once_in_the_order_first_seen() -> None:
    first, second = factories.parcel(), factories.parcel()
    seen = SeenAggregates()
    for parcel in (first, second, first):
        action = ParcelAction.SORT if parcel.events else ParcelAction.RECEIVE
        parcel.apply(action, actor="usr_hub", at=MORNING)
        seen.add(parcel)
    collected = list(seen.collect_new_events())
    assert [(e.aggregate_id, e.name) for e in collected] == [
        (first.id, "parcel.at_hub"),
        (first.id, "parcel.sorted"),
        (second.id, "parcel.at_hub"),
    ]
    assert list(seen.collect_new_events()) == []
