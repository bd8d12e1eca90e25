"""One contract, three back-ends: the unit-test fake, SQLite and PostgreSQL pass the same tests.

Mostly what reaches the outbox, name and payload, for each change a use case makes: the
fake must not invent events of its own (it once wrote an ``order.created`` without a
payload), so unit tests of use cases see exactly the rows the store would write.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

import pytest

from doorstep.domain import chain, ids
from doorstep.domain.access import Principal
from doorstep.domain.events import PAYLOAD_FIELDS, DomainEvent, EventName
from doorstep.domain.model import Brand, Hub, Role
from doorstep.domain.parcel import ParcelAction, ParcelState
from doorstep.domain.photos import PhotoPurge
from doorstep.domain.scan import HubScan, ScanKind, ScanOutcome, ScanTarget
from doorstep.domain.webhooks import DeliveryStatus, EndpointDisabled
from doorstep.services import orders, scans
from doorstep.services.ports import BlobRecord, Conflict, StaleObject, UnitOfWork
from doorstep.store.crypto import FernetCipher
from doorstep.store.database import create_engine_for
from doorstep.store.uow import make_uow_factory
from tests import factories
from tests.integration.conftest import DATABASES, TEST_SECRET, fresh_database
from tests.unit.fakes import FakeClock, FakeDatabase, uow_factory

Backend = Callable[[Principal], UnitOfWork]
SYSTEM = Principal.system("test")
T0 = factories.MORNING


@pytest.fixture(params=["fake", *DATABASES])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    if request.param == "fake":
        return uow_factory(FakeDatabase())
    engine = create_engine_for(fresh_database(request.param, request, tmp_path))
    request.addfinalizer(engine.dispose)
    return make_uow_factory(engine, FernetCipher(TEST_SECRET))


@dataclass
class World:
    brand: Brand
    hub: Hub


@pytest.fixture
def world(backend: Backend) -> World:
    brand, hub = factories.brand(), factories.hub()
    with backend(SYSTEM) as uow:
        uow.brands.add(brand)
        uow.hubs.add(hub)
        uow.commit()
    return World(brand, hub)


def _outbox(backend: Backend) -> list[DomainEvent]:
    with backend(SYSTEM) as uow:
        return [event for _, event in uow.outbox.pending(limit=1000)]


def _stored_order(backend: Backend, world: World, parcels: int = 1) -> str:
    order = factories.order(brand_id=world.brand.id, parcels=parcels)
    with backend(SYSTEM) as uow:
        uow.orders.add(order)
        uow.commit()
    return order.id


def _scan(world: World, barcode: str, outcome: ScanOutcome) -> HubScan:
    return HubScan.create(
        id=ids.new_id("scn"),
        hub_id=world.hub.id,
        client_event_id=ids.new_id("scn"),
        barcode=barcode,
        kind=ScanKind.RECEIVE,
        target=ScanTarget(),
        scanned_at=T0,
        recorded_at=T0 + timedelta(seconds=2),
        actor="usr_hub",
        outcome=outcome,
        message="...",
    )


def test_adding_an_order_writes_order_created_with_its_parcels(
    backend: Backend, world: World
) -> None:
    order = factories.order(brand_id=world.brand.id, parcels=2)
    with backend(SYSTEM) as uow:
        uow.orders.add(order)
        uow.commit()

    assert _outbox(backend) == [
        DomainEvent(
            name="order.created",
            aggregate_id=order.id,
            occurred_at=order.created_at,
            brand_id=world.brand.id,
            payload={
                "order_id": order.id,
                "reference": order.reference,
                "parcels": [{"parcel_id": p.id, "barcode": p.barcode} for p in order.parcels],
            },
        )
    ]
    assert [p.version for p in order.parcels] == [1, 1]


def test_cancelling_writes_each_parcel_then_the_order_and_cancelling_again_nothing(
    backend: Backend, world: World
) -> None:
    order_id = _stored_order(backend, world, parcels=2)
    later = T0 + timedelta(hours=1)
    for _ in range(2):
        with backend(SYSTEM) as uow:
            found = uow.orders.get(order_id)
            assert found is not None
            found.cancel(actor="usr_disp", at=later, reason_code="brand_request")
            uow.orders.save(found)
            uow.commit()
        order = found

    events = _outbox(backend)[1:]
    assert [e.name for e in events] == ["parcel.cancelled", "parcel.cancelled", "order.cancelled"]
    assert events[0].payload == {
        "parcel_id": order.parcels[0].id,
        "barcode": order.parcels[0].barcode,
        "sequence": 1,
        "action": "cancel",
        "from_state": "created",
        "to_state": "cancelled",
        "actor": "usr_disp",
        "place": None,
        "reason_code": "brand_request",
        "details": {},
    }
    assert events[2] == DomainEvent(
        name="order.cancelled",
        aggregate_id=order_id,
        occurred_at=later,
        brand_id=world.brand.id,
        payload={
            "order_id": order_id,
            "reference": order.reference,
            "parcel_ids": [p.id for p in order.parcels],
        },
    )
    with backend(SYSTEM) as uow:
        stored = uow.orders.get(order_id)
    assert stored is not None
    assert [p.state for p in stored.parcels] == [ParcelState.CANCELLED] * 2


def test_chains_give_the_same_linked_history_and_are_scoped(backend: Backend, world: World) -> None:
    order_id = _stored_order(backend, world, parcels=2)
    with backend(SYSTEM) as uow:
        order = uow.orders.get(order_id)
        assert order is not None
        parcel = order.parcels[0]
        parcel.apply(ParcelAction.RECEIVE, actor="usr_hub", at=T0, place=world.hub.id)
        uow.parcels.save(parcel)
        parcel.apply(ParcelAction.SORT, actor="usr_hub", at=T0, bay="B4")
        uow.parcels.save(parcel)  # two saves: the second links to the first's last hash
        uow.commit()

    with backend(Principal.brand(world.brand.id, "key_test")).read_only() as uow:
        chains = uow.orders.chains(order_id)
    with backend(Principal.brand(ids.new_id("brd"), "key_other")).read_only() as uow:
        assert uow.orders.chains(order_id) is None

    assert chains is not None
    first = chains[0]
    hashes = chain.link(parcel.events)
    assert (first.parcel_id, first.barcode, first.state) == (parcel.id, parcel.barcode, "sorted")
    assert [(s.prev_hash, s.hash) for s in first.links] == [
        (chain.GENESIS, hashes[0]),
        (hashes[0], hashes[1]),
    ]
    assert [s.record for s in first.links] == [chain.EventRecord.of(e) for e in parcel.events]
    assert [(c.state, c.links) for c in chains[1:]] == [("created", ())]


def test_scans_write_each_transition_of_the_parcel_in_order(backend: Backend, world: World) -> None:
    order_id = _stored_order(backend, world)
    with backend(SYSTEM) as uow:
        order = uow.orders.get(order_id)
        assert order is not None
        parcel = uow.parcels.get_by_barcode(order.parcels[0].barcode)
        assert parcel is not None
        parcel.apply(ParcelAction.RECEIVE, actor="usr_hub", at=T0, place=world.hub.id)
        uow.parcels.save(parcel)
        parcel.apply(ParcelAction.SORT, actor="usr_hub", at=T0, place=world.hub.id, bay="B4")
        uow.parcels.save(parcel)  # the same parcel twice: each event still written once
        uow.scans.add(_scan(world, parcel.barcode, ScanOutcome.ACCEPTED))
        uow.commit()

    events = _outbox(backend)[1:]
    assert [(e.name, e.aggregate_id, e.brand_id) for e in events] == [
        ("parcel.at_hub", parcel.id, world.brand.id),
        ("parcel.sorted", parcel.id, world.brand.id),
    ]
    assert events[1].payload == {
        "parcel_id": parcel.id,
        "barcode": parcel.barcode,
        "sequence": 2,
        "action": "sort",
        "from_state": "at_hub",
        "to_state": "sorted",
        "actor": "usr_hub",
        "place": world.hub.id,
        "reason_code": None,
        "details": {"bay": "B4"},
    }


def test_an_unknown_barcode_writes_scan_unknown_barcode_for_no_brand(
    backend: Backend, world: World
) -> None:
    scan = _scan(world, "DS0000NOBODY", ScanOutcome.UNKNOWN_BARCODE)
    with backend(SYSTEM) as uow:
        uow.scans.add(scan)
        uow.commit()

    assert _outbox(backend) == [
        DomainEvent(
            name="scan.unknown_barcode",
            aggregate_id=scan.id,
            occurred_at=scan.recorded_at,
            brand_id=None,
            payload={
                "scan_id": scan.id,
                "hub_id": world.hub.id,
                "barcode": "DS0000NOBODY",
                "kind": "receive",
                "scanned_at": T0.isoformat(),
            },
        )
    ]
    with backend(SYSTEM) as uow:
        assert uow.scans.list_exceptions(world.hub.id) == [scan]


def test_a_photo_purge_stamps_its_blobs_and_writes_one_event_for_no_brand(
    backend: Backend, world: World
) -> None:
    names = [hashlib.sha256(text).hexdigest() for text in (b"door", b"porch")]
    with backend(SYSTEM) as uow:
        for name in names:
            uow.blobs.add(BlobRecord(name, "image/jpeg", 10, 4, 3, "usr_courier", created_at=T0))
        uow.commit()
    at, retention = T0 + timedelta(days=91), timedelta(days=90)
    purge = PhotoPurge.of(names, created_before=at - retention, retention=retention, at=at)
    with backend(SYSTEM) as uow:
        uow.blobs.mark_purged(purge)
        uow.commit()

    assert _outbox(backend) == [
        DomainEvent(
            name="proof.photos_purged",
            aggregate_id=names[0],
            occurred_at=at,
            brand_id=None,
            payload={
                "count": 2,
                "hashes": names,
                "created_before": (at - retention).isoformat(),
                "retention_days": 90,
            },
        )
    ]
    with backend(SYSTEM) as uow:
        assert [uow.blobs.get(name).purged_at for name in names] == [at, at]  # type: ignore[union-attr]


def test_disabling_a_webhook_endpoint_writes_one_event_for_its_brand_and_dead_letters_its_queue(
    backend: Backend, world: World
) -> None:
    endpoint = factories.webhook_endpoint(brand_id=world.brand.id, failing_since=T0)
    waiting = factories.webhook_delivery(endpoint, outbox_id=1)
    with backend(SYSTEM) as uow:
        uow.webhooks.add_endpoint(endpoint)
        assert uow.webhooks.add_deliveries([waiting, waiting]) == 1
        uow.commit()
    at = T0 + timedelta(hours=72)
    off = replace(endpoint, enabled=False, disabled_reason="HTTP 503", updated_at=at)
    with backend(SYSTEM) as uow:
        uow.webhooks.disable(EndpointDisabled.of(off, "HTTP 503", at))
        uow.commit()

    assert _outbox(backend) == [
        DomainEvent(
            name="webhook_endpoint.disabled",
            aggregate_id=endpoint.id,
            occurred_at=at,
            brand_id=world.brand.id,
            payload={
                "endpoint_id": endpoint.id,
                "url": endpoint.url,
                "failing_since": T0.isoformat(),
                "reason": "HTTP 503",
            },
        )
    ]
    with backend(SYSTEM) as uow:
        stored = uow.webhooks.get_endpoint(endpoint.id)
        dead = uow.webhooks.get_delivery(waiting.id)
    assert stored is not None and not stored.enabled and stored.secret == endpoint.secret
    assert dead is not None and dead.status is DeliveryStatus.DEAD_LETTERED
    assert dead.last_error == "endpoint disabled: HTTP 503"


def test_a_webhook_delivery_is_claimed_once_and_another_brand_sees_none_of_it(
    backend: Backend, world: World
) -> None:
    endpoint = factories.webhook_endpoint(brand_id=world.brand.id)
    delivery = factories.webhook_delivery(endpoint, outbox_id=7)
    other = factories.brand(name="Peckham Plants")
    with backend(SYSTEM) as uow:
        uow.brands.add(other)
        uow.webhooks.add_endpoint(endpoint)
        uow.webhooks.add_deliveries([delivery])
        uow.commit()
    with backend(SYSTEM) as uow:
        assert uow.webhooks.due(T0, 10) == [delivery]
        assert uow.webhooks.claim(delivery, T0 + timedelta(minutes=1))
        assert not uow.webhooks.claim(delivery, T0 + timedelta(minutes=2)), "taken already"
        uow.commit()
    with backend(SYSTEM) as uow:
        assert uow.webhooks.due(T0, 10) == []
    with backend(Principal.brand(other.id, "key_other")) as uow:
        assert uow.webhooks.list_endpoints() == []
        assert uow.webhooks.get_endpoint(endpoint.id) is None
        assert uow.webhooks.get_delivery(delivery.id) is None
        assert uow.webhooks.list_deliveries(None, None, 10) == []
        assert uow.webhooks.subscribers([world.brand.id], "order.created") == []


@pytest.mark.parametrize("leave", ["no_commit", "exception", "rollback_then_commit"])
def test_nothing_reaches_the_outbox_unless_its_change_commits(
    backend: Backend, world: World, leave: str
) -> None:
    order_id = _stored_order(backend, world)
    crash = pytest.raises(RuntimeError) if leave == "exception" else nullcontext()
    with crash, backend(SYSTEM) as uow:
        order = uow.orders.get(order_id)
        assert order is not None
        order.cancel(actor="usr_disp", at=T0)
        uow.orders.save(order)
        uow.scans.add(_scan(world, "DS0000NOBODY", ScanOutcome.UNKNOWN_BARCODE))
        if leave == "exception":
            raise RuntimeError("the scanner crashed")
        if leave == "rollback_then_commit":
            uow.rollback()
            uow.commit()

    assert [e.name for e in _outbox(backend)] == ["order.created"]
    with backend(SYSTEM) as uow:
        stored = uow.orders.get(order_id)
    assert stored is not None and stored.parcels[0].state is ParcelState.CREATED


def test_a_stale_parcel_writes_neither_its_state_nor_its_event(
    backend: Backend, world: World
) -> None:
    order_id = _stored_order(backend, world)
    copies = []
    for _ in range(2):
        with backend(SYSTEM) as uow:
            order = uow.orders.get(order_id)
        assert order is not None
        copies.append(order.parcels[0])
    fresh, old_copy = copies
    with backend(SYSTEM) as uow:
        fresh.apply(ParcelAction.RECEIVE, actor="usr_a", at=T0)
        uow.parcels.save(fresh)
        uow.commit()

    old_copy.apply(ParcelAction.CANCEL, actor="usr_b", at=T0)
    with backend(SYSTEM) as uow, pytest.raises(StaleObject):
        uow.parcels.save(old_copy)
        uow.commit()

    assert [e.name for e in _outbox(backend)] == ["order.created", "parcel.at_hub"]


def test_a_reference_used_twice_by_one_brand_conflicts_and_writes_nothing(
    backend: Backend, world: World
) -> None:
    first = factories.order(brand_id=world.brand.id)
    again = factories.order(brand_id=world.brand.id, reference=first.reference)
    with backend(SYSTEM) as uow:
        uow.orders.add(first)
        uow.commit()
    with backend(SYSTEM) as uow, pytest.raises(Conflict):
        uow.orders.add(again)
        uow.commit()

    assert [e.aggregate_id for e in _outbox(backend)] == [first.id]


def test_a_brand_sees_only_its_own_orders_and_parcels(backend: Backend, world: World) -> None:
    other = factories.brand(name="Hackney Books")
    with backend(SYSTEM) as uow:
        uow.brands.add(other)
        uow.commit()
    mine, theirs = _stored_order(backend, world), factories.order(brand_id=other.id)
    with backend(SYSTEM) as uow:
        uow.orders.add(theirs)
        uow.commit()

    with backend(Principal.brand(world.brand.id, "key_test")) as uow:
        assert uow.orders.get(mine) is not None
        assert uow.orders.get(theirs.id) is None
        assert uow.parcels.get(theirs.parcels[0].id) is None
        assert uow.parcels.get_by_barcode(theirs.parcels[0].barcode) is None


def test_the_use_cases_write_the_same_rows_on_every_back_end(
    backend: Backend, world: World
) -> None:
    admin, clock = Principal.user(ids.new_id("usr"), Role.ADMIN), FakeClock()
    kept = orders.create_order(
        backend(admin), factories.create_order_command(brand_id=world.brand.id), clock=clock
    )
    [parcel] = kept.parcels
    known = scans.RecordScan(
        world.hub.id, "scanner-1-0001", parcel.barcode, ScanKind.RECEIVE, clock.now()
    )
    scans.record_hub_scan(backend(admin), known, clock=clock)
    stray = scans.RecordScan(
        world.hub.id, "scanner-1-0002", "DS0000NOBODY", ScanKind.RECEIVE, clock.now()
    )
    exception = scans.record_hub_scan(backend(admin), stray, clock=clock).scan
    dropped = orders.create_order(
        backend(admin), factories.create_order_command(brand_id=world.brand.id), clock=clock
    )
    orders.cancel_order(backend(admin), dropped.id, clock=clock, reason_code="brand_request")

    events = _outbox(backend)
    assert [(e.name, e.aggregate_id) for e in events] == [
        ("order.created", kept.id),
        ("parcel.at_hub", parcel.id),
        ("scan.unknown_barcode", exception.id),
        ("order.created", dropped.id),
        ("parcel.cancelled", dropped.parcels[0].id),
        ("order.cancelled", dropped.id),
    ]
    assert all(set(e.payload) == set(PAYLOAD_FIELDS[EventName(e.name)]) for e in events)
    assert events[1].payload["details"] == {"scan_client_event_id": "scanner-1-0001"}
    assert events[5].payload["parcel_ids"] == [dropped.parcels[0].id]
