"""Access codes, safe-place notes and phone numbers never reach the tables in clear."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text

from doorstep.domain.model import Address, Brand, GeoPoint, Order, Recipient
from doorstep.store.crypto import FernetCipher
from doorstep.store.uow import make_uow_factory
from tests import factories
from tests.integration.store.conftest import SYSTEM, UowFactory

SECRETS = ("4821#", "Behind the blue bin", "+447700900456")


def _order_with_secrets() -> tuple[Brand, Order]:
    brand = factories.brand()
    order = factories.order(
        brand_id=brand.id,
        recipient=Recipient(name="Grace Hopper", phone=SECRETS[2]),
        address=Address(
            lines=("7 Mare Street",),
            postcode="E8 4RP",
            point=GeoPoint(51.5454, -0.0553),
            access_code=SECRETS[0],
            access_notes=SECRETS[1],
        ),
    )
    return brand, order


def test_sensitive_fields_are_ciphertext_in_the_table_and_clear_through_the_repository(
    uow_factory: UowFactory, engine: Engine
) -> None:
    brand, order = _order_with_secrets()
    with uow_factory(SYSTEM) as uow:
        uow.brands.add(brand)
        uow.orders.add(order)
        uow.commit()

    with engine.connect() as connection:
        row = connection.execute(
            text("SELECT recipient_phone, access_code, access_notes FROM orders")
        ).one()
    for stored, secret in zip(row, SECRETS[2:] + SECRETS[:2], strict=True):
        assert stored is not None and secret not in stored and stored.startswith("enc1:")

    with uow_factory(SYSTEM) as uow:
        loaded = uow.orders.get(order.id)
    assert loaded is not None
    assert (loaded.address.access_code, loaded.address.access_notes, loaded.recipient.phone) == (
        SECRETS[0], SECRETS[1], SECRETS[2],
    )  # fmt: skip


def test_reading_with_another_secret_fails_loudly(uow_factory: UowFactory, engine: Engine) -> None:
    brand, order = _order_with_secrets()
    with uow_factory(SYSTEM) as uow:
        uow.brands.add(brand)
        uow.orders.add(order)
        uow.commit()
    other_key = make_uow_factory(engine, FernetCipher("a different secret"))
    with other_key(SYSTEM) as uow, pytest.raises(ValueError, match="cannot be decrypted"):
        uow.orders.get(order.id)
