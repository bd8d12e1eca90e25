"""Shared setup for the store tests: principals and a brand with an order to work on."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from doorstep.domain.access import Principal
from doorstep.domain.model import Brand, Order, Vehicle
from doorstep.store.uow import SqlUnitOfWork
from tests import factories

UowFactory = Callable[[Principal], SqlUnitOfWork]
SYSTEM = Principal.system("test")


@dataclass
class Seeded:
    brand: Brand
    other_brand: Brand
    vehicle: Vehicle
    order: Order
    other_order: Order

    @property
    def brand_principal(self) -> Principal:
        return Principal.brand(self.brand.id, "key_test")


@pytest.fixture
def seeded(uow_factory: UowFactory) -> Seeded:
    """Two brands with one order each, and a vehicle, committed."""
    brand, other_brand = factories.brand(), factories.brand(name="Hackney Books")
    vehicle = factories.vehicle()
    order = factories.order(brand_id=brand.id, parcels=2)
    other_order = factories.order(brand_id=other_brand.id)
    with uow_factory(SYSTEM) as uow:
        uow.brands.add(brand)
        uow.brands.add(other_brand)
        uow.vehicles.add(vehicle)
        uow.orders.add(order)
        uow.orders.add(other_order)
        uow.commit()
    return Seeded(brand, other_brand, vehicle, order, other_order)
