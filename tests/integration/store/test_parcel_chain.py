"""The parcel event hash chain in the store: written on every insert, checked by verify,
and broken by any edit made with SQL behind Doorstep's back (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, select, text, update

from doorstep.domain import chain
from doorstep.domain.access import Principal
from doorstep.domain.parcel import ParcelAction
from doorstep.services.errors import NotFound
from doorstep.services.verify import verify_order
from doorstep.store.tables import ParcelEventRow, ParcelRow
from tests import factories
from tests.integration.store.conftest import SYSTEM, Seeded, UowFactory
from tests.integration.tamper import PHOTO, delete_event, delivered_order, update_event


def _stored_hashes(engine: Engine, parcel_id: str) -> list[tuple[int, str, str]]:
    with engine.connect() as connection:
        return [
            tuple(row)  # type: ignore[misc]
            for row in connection.execute(
                select(ParcelEventRow.sequence, ParcelEventRow.prev_hash, ParcelEventRow.hash)
                .join(ParcelRow, ParcelRow.pk == ParcelEventRow.parcel_pk)
                .where(ParcelRow.public_id == parcel_id)
                .order_by(ParcelEventRow.sequence)
            )
        ]


def test_every_insert_links_the_event_to_the_one_before(
    engine: Engine, uow_factory: UowFactory, seeded: Seeded
) -> None:
    order = delivered_order(uow_factory, seeded.brand.id)
    parcel = order.parcels[0]

    stored = _stored_hashes(engine, parcel.id)

    hashes = chain.link(parcel.events)
    assert stored == list(zip(range(1, 6), [chain.GENESIS, *hashes[:-1]], hashes, strict=True))
    result = verify_order(uow_factory(seeded.brand_principal), order.id, None)
    assert result.problems == ()


def test_an_order_added_with_history_is_chained_too(
    engine: Engine, uow_factory: UowFactory, seeded: Seeded
) -> None:
    order = factories.order(brand_id=seeded.brand.id)
    parcel = order.parcels[0]
    parcel.apply(ParcelAction.RECEIVE, actor="usr_hub", at=factories.MORNING)
    parcel.apply(
        ParcelAction.SORT, actor="usr_hub", at=factories.MORNING + timedelta(seconds=1), bay="B1"
    )
    with uow_factory(SYSTEM) as uow:
        uow.orders.add(order)
        uow.commit()
    hashes = chain.link(parcel.events)
    assert _stored_hashes(engine, parcel.id) == [(1, chain.GENESIS, hashes[0]), (2, *hashes)]
    assert verify_order(uow_factory(SYSTEM), order.id, None).ok


def test_an_edited_field_is_named_with_its_event(
    engine: Engine, uow_factory: UowFactory, seeded: Seeded
) -> None:
    order = delivered_order(uow_factory, seeded.brand.id)
    parcel = order.parcels[0]
    update_event(engine, parcel.id, 4, actor="usr_forger")

    result = verify_order(uow_factory(SYSTEM), order.id, None)

    assert result.problems == (
        f"parcel {parcel.barcode} event 4 (out_for_delivery) was changed after it was written",
    )


def test_an_edited_proof_reference_and_time_are_caught(
    engine: Engine, uow_factory: UowFactory, seeded: Seeded
) -> None:
    order = delivered_order(uow_factory, seeded.brand.id)
    parcel = order.parcels[0]
    with engine.begin() as connection:  # swap the photo for another, in the JSON itself
        pk = connection.scalar(
            select(ParcelEventRow.pk)
            .join(ParcelRow, ParcelRow.pk == ParcelEventRow.parcel_pk)
            .where(ParcelRow.public_id == parcel.id, ParcelEventRow.sequence == 5)
        )
        connection.execute(
            update(ParcelEventRow)
            .where(ParcelEventRow.pk == pk)
            .values(details={"photos": "0" * 64})
        )
    update_event(engine, parcel.id, 1, at=parcel.events[0].at + timedelta(microseconds=1))

    result = verify_order(uow_factory(SYSTEM), order.id, None)

    assert result.problems == (
        f"parcel {parcel.barcode} event 1 (at_hub) was changed after it was written",
        f"parcel {parcel.barcode} event 5 (delivered) was changed after it was written",
    )
    assert PHOTO not in " ".join(result.problems)


def test_a_deleted_event_and_swapped_sequences_are_caught(
    engine: Engine, uow_factory: UowFactory, seeded: Seeded
) -> None:
    order = delivered_order(uow_factory, seeded.brand.id)
    parcel = order.parcels[0]
    delete_event(engine, parcel.id, 2)
    update_event(engine, parcel.id, 3, sequence=30)
    update_event(engine, parcel.id, 4, sequence=3)
    update_event(engine, parcel.id, 30, sequence=4)

    problems = verify_order(uow_factory(SYSTEM), order.id, None).problems

    barcode = parcel.barcode
    assert problems == (
        f"parcel {barcode} event 2 is missing",
        f"parcel {barcode} event 3 (out_for_delivery) was changed after it was written",
        f"parcel {barcode} event 4 (loaded) was changed after it was written",
        f"parcel {barcode} event 4 does not follow event 3",
        f"parcel {barcode} event 5 does not follow event 4",
    )


def test_a_value_nobody_could_write_is_reported_not_a_crash(
    engine: Engine, uow_factory: UowFactory, seeded: Seeded
) -> None:
    order = delivered_order(uow_factory, seeded.brand.id)
    parcel = order.parcels[0]
    update_event(engine, parcel.id, 5, action="teleport", to_state="on_the_moon")
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE parcels SET state = 'on_the_moon' WHERE public_id = :p"), {"p": parcel.id}
        )

    problems = verify_order(uow_factory(SYSTEM), order.id, None).problems

    assert problems == (
        f"parcel {parcel.barcode} event 5 (on_the_moon) was changed after it was written",
    )


def test_a_truncated_history_shows_against_the_parcels_state(
    engine: Engine, uow_factory: UowFactory, seeded: Seeded
) -> None:
    order = delivered_order(uow_factory, seeded.brand.id)
    parcel = order.parcels[0]
    delete_event(engine, parcel.id, 5)
    problems = verify_order(uow_factory(SYSTEM), order.id, None).problems
    assert problems == (
        f"parcel {parcel.barcode} is delivered but its history ends at event 4 "
        "(out_for_delivery): later events are missing or its state was changed",
    )


def test_another_brand_cannot_verify_the_order(uow_factory: UowFactory, seeded: Seeded) -> None:
    order = delivered_order(uow_factory, seeded.brand.id)
    other = Principal.brand(seeded.other_brand.id, "key_other")
    with pytest.raises(NotFound):
        verify_order(uow_factory(other), order.id, None)
