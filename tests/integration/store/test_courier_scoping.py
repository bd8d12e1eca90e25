"""A courier's unit of work reaches only what is assigned to it, in the queries themselves.

Until dispatch assigns routes that is no order, parcel, brand or plan at all, and among
couriers only its own record; a brand sees no courier record.
"""

from __future__ import annotations

from doorstep.domain import ids
from doorstep.domain.access import Principal
from doorstep.domain.model import Courier, Role
from doorstep.services.ports import OrderQuery
from tests.integration.store.conftest import SYSTEM, Seeded, UowFactory


def _couriers(uow_factory: UowFactory) -> tuple[Courier, Courier]:
    mine = Courier(id=ids.new_id("cou"), name="Kit", phone="+447700900111", vehicle_id=None)
    other = Courier(id=ids.new_id("cou"), name="Lou", phone="+447700900222", vehicle_id=None)
    with uow_factory(SYSTEM) as uow:
        uow.couriers.add(mine)
        uow.couriers.add(other)
        uow.commit()
    return mine, other


def test_a_courier_reads_no_order_parcel_brand_or_other_courier(
    uow_factory: UowFactory, seeded: Seeded
) -> None:
    mine, other = _couriers(uow_factory)
    courier = Principal.user("usr_courier", Role.COURIER, courier_id=mine.id)
    parcel_id = seeded.order.parcels[0].id
    with uow_factory(courier) as uow:
        assert uow.orders.list(OrderQuery(brand_id=seeded.brand.id, limit=200)).items == []
        assert uow.orders.get(seeded.order.id) is None
        assert uow.parcels.get(parcel_id) is None
        assert uow.parcels.get_by_barcode(seeded.order.parcels[0].barcode) is None
        assert (uow.brands.list(), uow.brands.get(seeded.brand.id)) == ([], None)
        assert [c.id for c in uow.couriers.list()] == [mine.id]
        assert uow.couriers.get(other.id) is None
    with uow_factory(SYSTEM) as uow:  # the rows are there: the scoping hid them
        assert uow.orders.get(seeded.order.id) is not None
        assert uow.parcels.get(parcel_id) is not None


def test_a_brand_reads_no_courier_record(uow_factory: UowFactory, seeded: Seeded) -> None:
    mine, _ = _couriers(uow_factory)
    with uow_factory(seeded.brand_principal) as uow:
        assert (uow.couriers.list(), uow.couriers.get(mine.id)) == ([], None)
