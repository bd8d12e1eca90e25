from __future__ import annotations

import hashlib
import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from doorstep.domain.access import Principal
from doorstep.domain.model import Order
from doorstep.services import orders
from doorstep.services.idempotency import (
    BeforeCommit,
    IdempotencyKeyReused,
    IdempotentRequest,
    SavedResponse,
    fingerprint,
    run_idempotent,
)
from tests import factories
from tests.unit.fakes import FakeClock, FakeDatabase, uow_factory

SECRET = "test-secret"


def render(order: Order) -> SavedResponse:
    return SavedResponse(201, json.dumps({"id": order.id}).encode())


def create(
    db: FakeDatabase,
    principal: Principal,
    clock: FakeClock,
    request: IdempotentRequest | None,
    reference: str = "SHOP-1",
) -> SavedResponse:
    cmd = factories.create_order_command(reference=reference)

    def action(hook: BeforeCommit[Order] | None) -> Order:
        return orders.create_order(uow_factory(db)(principal), cmd, clock=clock, before_commit=hook)

    return run_idempotent(uow_factory(db), principal, clock, request, action, render)


def test_the_same_key_and_body_replays_the_saved_answer(
    db: FakeDatabase, as_brand: Principal, clock: FakeClock
) -> None:
    request = IdempotentRequest("k-1", fingerprint("POST", "/v1/orders", b"{}", secret=SECRET))
    first = create(db, as_brand, clock, request)
    clock.advance(hours=23)

    again = create(db, as_brand, clock, request)

    assert again == first
    assert len(db.orders) == 1


def test_the_same_key_with_another_body_is_refused(
    db: FakeDatabase, as_brand: Principal, clock: FakeClock
) -> None:
    create(
        db,
        as_brand,
        clock,
        IdempotentRequest("k", fingerprint("POST", "/v1/orders", b"1", secret=SECRET)),
    )
    with pytest.raises(IdempotencyKeyReused):
        create(
            db,
            as_brand,
            clock,
            IdempotentRequest("k", fingerprint("POST", "/v1/orders", b"2", secret=SECRET)),
        )


def test_keys_belong_to_their_caller(
    db: FakeDatabase, as_brand: Principal, as_other_brand: Principal, clock: FakeClock
) -> None:
    request = IdempotentRequest("k", fingerprint("POST", "/v1/orders", b"{}", secret=SECRET))
    mine = create(db, as_brand, clock, request)
    theirs = create(db, as_other_brand, clock, request)
    assert mine.body != theirs.body
    assert len(db.orders) == 2


def test_concurrent_identical_requests_create_one_order_and_share_its_answer(
    db: FakeDatabase, as_brand: Principal, clock: FakeClock
) -> None:
    request = IdempotentRequest("race", fingerprint("POST", "/v1/orders", b"{}", secret=SECRET))
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda _: create(db, as_brand, clock, request), range(30)))

    assert len(db.orders) == 1
    assert {a.body for a in answers} == {render(next(iter(db.orders.values()))).body}


def test_fingerprint_tells_method_path_and_body_apart() -> None:
    base = fingerprint("POST", "/v1/orders", b"{}", secret=SECRET)
    assert base == fingerprint("post", "/v1/orders", b"{}", secret=SECRET)
    assert base != fingerprint("POST", "/v1/orders/batch", b"{}", secret=SECRET)
    assert base != fingerprint("POST", "/v1/orders", b"{ }", secret=SECRET)
    assert fingerprint("POST", "/a", b"b/c", secret=SECRET) != fingerprint(
        "POST", "/a/b", b"/c", secret=SECRET
    )


def test_the_fingerprint_is_keyed_by_the_server_secret() -> None:
    """A body may hold a PIN: without the secret its fingerprint cannot be recomputed."""
    body = b'{"delivery_pin": "0427"}'
    assert fingerprint("POST", "/v1/orders", body, secret=SECRET) != fingerprint(
        "POST", "/v1/orders", body, secret="another-secret"
    )
    assert (
        fingerprint("POST", "/v1/orders", body, secret=SECRET) != hashlib.sha256(body).hexdigest()
    )
