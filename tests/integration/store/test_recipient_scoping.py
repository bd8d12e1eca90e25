"""A recipient's unit of work reaches their one order, in the queries themselves: its
parcels, its brand and the routes it rides on, and nothing else of anyone."""

from __future__ import annotations

import pytest

from doorstep.domain.access import Principal
from doorstep.domain.errors import InvalidValue
from doorstep.services.ports import OrderQuery, StaleObject
from tests import factories
from tests.integration.store.conftest import SYSTEM, Seeded, UowFactory


def test_a_recipient_reads_their_order_and_nothing_of_another(
    uow_factory: UowFactory, seeded: Seeded
) -> None:
    recipient = Principal.recipient(seeded.order.id)
    assert recipient.actor == f"recipient:{seeded.order.id}"
    with uow_factory(recipient) as uow:
        assert uow.orders.get(seeded.order.id) is not None
        assert uow.orders.get(seeded.other_order.id) is None
        assert [o.id for o in uow.orders.list(OrderQuery(limit=50)).items] == [seeded.order.id]
        assert uow.parcels.get(seeded.order.parcels[0].id) is not None
        assert uow.parcels.get(seeded.other_order.parcels[0].id) is None
        assert [b.id for b in uow.brands.list()] == [seeded.brand.id]
        assert uow.routes.find() == []
        assert uow.couriers.list() == []


def test_a_recipient_cannot_store_changes_to_another_order(
    uow_factory: UowFactory, seeded: Seeded
) -> None:
    with uow_factory(SYSTEM) as uow:
        other = uow.orders.get(seeded.other_order.id)
    assert other is not None
    other.neighbour = "No. 13"
    with uow_factory(Principal.recipient(seeded.order.id)) as uow, pytest.raises(StaleObject):
        uow.orders.save_wishes(other)
    with uow_factory(SYSTEM) as uow:
        stored = uow.orders.get(seeded.other_order.id)
    assert stored is not None and stored.neighbour is None


def test_a_recipient_cannot_add_an_order(uow_factory: UowFactory, seeded: Seeded) -> None:
    with uow_factory(Principal.recipient(seeded.order.id)) as uow, pytest.raises(InvalidValue):
        uow.orders.add(factories.order(brand_id=seeded.brand.id))


def test_the_wishes_are_stored_sealed_and_read_back(
    uow_factory: UowFactory, seeded: Seeded
) -> None:
    with uow_factory(Principal.recipient(seeded.order.id)) as uow:
        order = uow.orders.get(seeded.order.id)
        assert order is not None
        order.safe_place_choice, order.safe_place = "shed", "Key under the pot"
        order.neighbour, order.needs_more_time = "Rose Cottage", True
        uow.orders.save_wishes(order)
        uow.commit()
    with uow_factory(SYSTEM) as uow:
        stored = uow.orders.get(seeded.order.id)
    assert stored is not None
    assert (stored.safe_place_choice, stored.safe_place) == ("shed", "Key under the pot")
    assert (stored.neighbour, stored.needs_more_time, stored.version) == ("Rose Cottage", True, 2)
