"""The verify use case: scoped like every read, files checked when a store is given."""

from __future__ import annotations

import hashlib

import pytest

from doorstep.domain.access import Principal
from doorstep.domain.model import Brand, Order
from doorstep.services.errors import NotFound
from doorstep.services.verify import NO_FILE_STORE, verify_order
from tests import factories
from tests.unit.fakes import FakeDatabase
from tests.unit.services.conftest import UowFor

SIGNATURE = hashlib.sha256(b"signature").hexdigest()
PHOTO = hashlib.sha256(b"photo").hexdigest()


@pytest.fixture
def delivered(db: FakeDatabase, brand: Brand) -> Order:
    order = factories.order(brand_id=brand.id, parcels=2)
    factories.deliver(order.parcels[0], signature=SIGNATURE, photos=(PHOTO,))
    db.orders[order.id] = order
    return order


def test_an_untouched_order_with_its_files_is_ok(
    uow_for: UowFor, as_brand: Principal, delivered: Order
) -> None:
    result = verify_order(uow_for(as_brand), delivered.id, lambda sha: sha)
    assert result.ok
    assert (result.order_id, result.problems, result.notes) == (delivered.id, (), ())


def test_a_missing_file_is_a_problem_and_a_purged_one_a_note(
    uow_for: UowFor, dispatcher: Principal, delivered: Order
) -> None:
    barcode = delivered.parcels[0].barcode
    missing = verify_order(uow_for(dispatcher), delivered.id, lambda sha: None)
    assert not missing.ok
    assert missing.problems == (
        f"parcel {barcode} event 5 (delivered): the signature file {SIGNATURE} is missing",
        f"parcel {barcode} event 5 (delivered): the photo file {PHOTO} is missing",
    )
    purged = verify_order(
        uow_for(dispatcher),
        delivered.id,
        lambda sha: sha if sha == SIGNATURE else None,
        purged=lambda sha: sha == PHOTO,
    )
    assert purged.ok
    assert purged.notes == (
        f"parcel {barcode} event 5 (delivered): the photo file {PHOTO} was purged after retention",
    )


def test_without_a_file_store_the_files_are_not_checked_and_a_note_says_so(
    uow_for: UowFor, admin: Principal, delivered: Order
) -> None:
    result = verify_order(uow_for(admin), delivered.id, None)
    assert result.ok
    assert result.notes == (NO_FILE_STORE,)


def test_another_brands_order_and_a_malformed_id_look_missing(
    uow_for: UowFor, as_other_brand: Principal, delivered: Order
) -> None:
    with pytest.raises(NotFound):
        verify_order(uow_for(as_other_brand), delivered.id, lambda sha: sha)
    with pytest.raises(NotFound):
        verify_order(uow_for(as_other_brand), "par_notanorder", lambda sha: sha)
