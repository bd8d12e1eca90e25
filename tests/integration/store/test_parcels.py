"""Parcels: saving appends events to the history, and commit writes them to the outbox."""

from __future__ import annotations

from contextlib import nullcontext
from datetime import timedelta

import pytest

from doorstep.domain.parcel import Parcel, ParcelAction, ParcelState
from doorstep.services.ports import StaleObject
from tests import factories
from tests.integration.store.conftest import SYSTEM, Seeded, UowFactory

T0 = factories.MORNING


def _move_to_loaded(parcel: Parcel, vehicle_id: str) -> None:
    parcel.apply(ParcelAction.RECEIVE, actor="usr_hub", at=T0, place="hub_kentish")
    parcel.apply(ParcelAction.SORT, actor="usr_hub", at=T0 + timedelta(minutes=1), bay="B4")
    parcel.apply(
        ParcelAction.LOAD, actor="usr_hub", at=T0 + timedelta(minutes=2), vehicle_id=vehicle_id
    )


def test_save_appends_events_and_replay_gives_the_stored_state(
    uow_factory: UowFactory, seeded: Seeded
) -> None:
    parcel_id = seeded.order.parcels[0].id
    with uow_factory(SYSTEM) as uow:
        parcel = uow.parcels.get(parcel_id)
        assert parcel is not None
        _move_to_loaded(parcel, seeded.vehicle.id)
        uow.parcels.save(parcel)
        uow.commit()

    with uow_factory(SYSTEM) as uow:
        stored = uow.parcels.get_by_barcode(seeded.order.parcels[0].barcode)

    assert stored is not None
    assert (stored.state, stored.bay, stored.vehicle_id) == (
        ParcelState.LOADED,
        "B4",
        seeded.vehicle.id,
    )
    assert [e.sequence for e in stored.events] == [1, 2, 3]
    assert stored.events[0].place == "hub_kentish"
    assert stored.events[1].details == {"bay": "B4"}
    replayed = Parcel.replay(
        id=stored.id,
        order_id=stored.order_id,
        brand_id=stored.brand_id,
        barcode=stored.barcode,
        weight_kg=stored.weight_kg,
        events=stored.events,
    )
    assert (replayed.state, replayed.bay, replayed.vehicle_id, replayed.attempts) == (
        stored.state,
        stored.bay,
        stored.vehicle_id,
        stored.attempts,
    )


def test_each_new_event_is_in_the_outbox_after_commit(
    uow_factory: UowFactory, seeded: Seeded
) -> None:
    parcel_id = seeded.order.parcels[0].id
    with uow_factory(SYSTEM) as uow:
        parcel = uow.parcels.get(parcel_id)
        assert parcel is not None
        _move_to_loaded(parcel, seeded.vehicle.id)
        uow.parcels.save(parcel)
        uow.commit()
    with uow_factory(SYSTEM) as uow:
        parcel = uow.parcels.get(parcel_id)
        assert parcel is not None
        parcel.apply(ParcelAction.DEPART, actor="usr_courier", at=T0 + timedelta(hours=1))
        uow.parcels.save(parcel)
        uow.commit()

    with uow_factory(SYSTEM) as uow:
        parcel_events = [e for _, e in uow.outbox.pending() if e.aggregate_id == parcel_id]

    assert [e.name for e in parcel_events] == [
        "parcel.at_hub",
        "parcel.sorted",
        "parcel.loaded",
        "parcel.out_for_delivery",
    ]
    assert [e.payload["sequence"] for e in parcel_events] == [1, 2, 3, 4]
    assert all(e.brand_id == seeded.brand.id for e in parcel_events)


@pytest.mark.parametrize("leave", ["exception", "no_commit", "rollback"])
def test_a_change_not_committed_leaves_no_state_and_no_outbox_row(
    uow_factory: UowFactory, seeded: Seeded, leave: str
) -> None:
    parcel_id = seeded.order.parcels[0].id
    with uow_factory(SYSTEM) as uow:
        before = len(uow.outbox.pending(limit=1000))

    crash = pytest.raises(RuntimeError) if leave == "exception" else nullcontext()
    with crash, uow_factory(SYSTEM) as uow:
        parcel = uow.parcels.get(parcel_id)
        assert parcel is not None
        parcel.apply(ParcelAction.RECEIVE, actor="usr_hub", at=T0)
        uow.parcels.save(parcel)
        assert [e.name for e in parcel.new_events] == ["parcel.at_hub"]  # written at commit
        if leave == "exception":
            raise RuntimeError("the scanner crashed")
        if leave == "rollback":
            uow.rollback()

    with uow_factory(SYSTEM) as uow:
        stored = uow.parcels.get(parcel_id)
        assert len(uow.outbox.pending(limit=1000)) == before
    assert stored is not None
    assert (stored.state, stored.events) == (ParcelState.CREATED, [])


def test_saving_a_parcel_read_before_someone_elses_change_is_stale(
    uow_factory: UowFactory, seeded: Seeded
) -> None:
    parcel_id = seeded.order.parcels[0].id
    with uow_factory(SYSTEM) as uow:
        old_copy = uow.parcels.get(parcel_id)
        fresh = uow.parcels.get(parcel_id)
    assert old_copy is not None and fresh is not None
    with uow_factory(SYSTEM) as uow:
        fresh.apply(ParcelAction.RECEIVE, actor="usr_a", at=T0)
        uow.parcels.save(fresh)
        uow.commit()

    old_copy.apply(ParcelAction.CANCEL, actor="usr_b", at=T0)
    with uow_factory(SYSTEM) as uow, pytest.raises(StaleObject, match="changed"):
        uow.parcels.save(old_copy)

    with uow_factory(SYSTEM) as uow:
        stored = uow.parcels.get(parcel_id)
    assert stored is not None and stored.state is ParcelState.AT_HUB


def test_saving_bumps_the_version_so_the_same_object_can_be_saved_again(
    uow_factory: UowFactory, seeded: Seeded
) -> None:
    parcel_id = seeded.order.parcels[0].id
    with uow_factory(SYSTEM) as uow:
        parcel = uow.parcels.get(parcel_id)
        assert parcel is not None
        parcel.apply(ParcelAction.RECEIVE, actor="usr_a", at=T0)
        uow.parcels.save(parcel)
        parcel.apply(ParcelAction.SORT, actor="usr_a", at=T0, bay="C1")
        uow.parcels.save(parcel)
        uow.commit()
    with uow_factory(SYSTEM) as uow:
        stored = uow.parcels.get(parcel_id)
    assert stored is not None
    assert (stored.state, stored.version, len(stored.events)) == (ParcelState.SORTED, 3, 2)


def test_brand_cannot_fetch_another_brands_parcel(uow_factory: UowFactory, seeded: Seeded) -> None:
    foreign = seeded.other_order.parcels[0]
    with uow_factory(seeded.brand_principal) as uow:
        assert uow.parcels.get(foreign.id) is None
        assert uow.parcels.get_by_barcode(foreign.barcode) is None
        assert uow.parcels.get(seeded.order.parcels[0].id) is not None
