"""Tenant scoping and operator-only routes, checked for every operation the OpenAPI publishes.

The operations come from ``/v1/openapi.json``, not from a hand-written list, so a new route
is checked the day it is added: one that takes an id must answer another brand's id with the
same 404 as an id that does not exist, and one for the delivery company's staff must refuse a
brand key with 403. A new kind of id needs an object in :func:`_world`, a new tag needs a
place in ``OPERATOR_TAGS`` or ``BRAND_TAGS``, and a route that cannot be checked this way
must be listed in ``KNOWN_EXCEPTIONS`` with the reason; otherwise these tests fail and say so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx

from doorstep.domain import ids
from doorstep.domain.model import Role
from tests.factories import order_payload
from tests.integration.live_server import LiveApi

PROBLEM = "application/problem+json"
OPERATOR_TAGS = {"hubs", "fleet", "brands", "users", "plans"}
BRAND_TAGS = {"orders", "parcels", "auth"}
KNOWN_EXCEPTIONS = {
    "POST /v1/auth/token": "the login itself: it takes credentials, not a bearer token",
}
# Bodies for operations that take an id and require a body, so that validation does not
# answer 422 before the lookup could answer 404. None yet: cancel's body is optional.
BODIES: dict[str, dict[str, Any]] = {}


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    spec: dict[str, Any]

    @property
    def name(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def id_params(self) -> list[str]:
        return re.findall(r"\{(\w+)\}", self.path)

    @property
    def operator_only(self) -> bool:
        tags = set(self.spec.get("tags", []))
        if tags & OPERATOR_TAGS:
            return True
        assert tags and tags <= BRAND_TAGS, (
            f"{self.name} has tags {sorted(tags)}: add them to OPERATOR_TAGS or BRAND_TAGS"
        )
        return False

    def body_required(self) -> bool:
        return bool(self.spec.get("requestBody", {}).get("required"))


@dataclass
class World:
    """Objects that belong to brand A (or to the operator), and what would identify them."""

    ids: dict[str, str]  # path parameter name -> id
    telltales: list[str]


def _operations(live_api: LiveApi) -> list[Operation]:
    spec = httpx.get(f"{live_api.base_url}/v1/openapi.json").json()
    found = [
        Operation(method.upper(), path, operation)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
    ]
    assert len(found) >= 15, "the OpenAPI lost its operations"
    return [op for op in found if op.name not in KNOWN_EXCEPTIONS]


def _world(live_api: LiveApi) -> World:
    brand_id, key = live_api.create_brand("Camden Coffee Co")
    order = live_api.client(key).post("/v1/orders", json=order_payload()).json()
    parcel = order["parcels"][0]
    admin = live_api.client(live_api.create_operator(Role.ADMIN))
    hub = admin.post(
        "/v1/hubs", json={"name": "Kentish Town", "address": "1 Regis Road", "lat": 51.5, "lon": 0}
    ).json()
    return World(
        ids={
            "order_id": order["id"],
            "parcel_id": parcel["id"],
            "hub_id": hub["id"],
            "brand_id": brand_id,
        },
        telltales=[
            order["id"],
            parcel["id"],
            parcel["barcode"],
            order["reference"],
            order["tracking_url"].rsplit("/", 1)[-1],
            order["recipient"]["name"],
            brand_id,
        ],
    )


def _fill(path: str, values: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], path)


def test_another_brands_ids_answer_like_ids_that_do_not_exist(live_api: LiveApi) -> None:
    world = _world(live_api)
    _, other_key = live_api.create_brand("Peckham Plants")
    other = live_api.client(other_key)
    checked, problems = [], []
    for op in _operations(live_api):
        if op.operator_only or not op.id_params:
            continue
        missing = [name for name in op.id_params if name not in world.ids]
        if missing:
            problems.append(f"{op.name}: no fixture object for {missing}; add one to _world()")
            continue
        if op.body_required() and op.name not in BODIES:
            problems.append(f"{op.name}: requires a body; add a valid one to BODIES")
            continue
        body = BODIES.get(op.name)
        nowhere = {name: ids.new_id(world.ids[name].split("_")[0]) for name in op.id_params}
        theirs = other.request(op.method, _fill(op.path, world.ids), json=body)
        absent = other.request(op.method, _fill(op.path, nowhere), json=body)
        if theirs.status_code != 404 or theirs.headers["content-type"] != PROBLEM:
            problems.append(f"{op.name}: another brand got {theirs.status_code} {theirs.text}")
        elif theirs.content != absent.content:
            problems.append(f"{op.name}: {theirs.text} differs from {absent.text}")
        elif leaked := [t for t in world.telltales if t in theirs.text]:
            problems.append(f"{op.name}: the 404 echoes {leaked}")
        checked.append(op.name)
    assert problems == [], "\n".join(problems)
    assert {"GET /v1/orders/{order_id}", "GET /v1/parcels/{parcel_id}"} <= set(checked)


def test_the_owner_reaches_the_same_objects(live_api: LiveApi) -> None:
    """The 404s above mean scoping, not bad fixtures: the owner gets the objects."""
    _, key = live_api.create_brand()
    order = live_api.client(key).post("/v1/orders", json=order_payload()).json()
    values = {"order_id": order["id"], "parcel_id": order["parcels"][0]["id"]}
    owner = live_api.client(key)
    for op in _operations(live_api):
        if op.method == "GET" and op.id_params and not op.operator_only:
            answer = owner.get(_fill(op.path, values))
            assert answer.status_code != 404, (op.name, answer.text)


def test_brand_lists_do_not_show_another_brands_objects(live_api: LiveApi) -> None:
    world = _world(live_api)
    _, other_key = live_api.create_brand("Peckham Plants")
    other = live_api.client(other_key)
    for op in _operations(live_api):
        if op.method == "GET" and not op.id_params and not op.operator_only:
            answer = other.get(op.path)
            assert answer.status_code == 200, (op.name, answer.text)
            assert [t for t in world.telltales if t in answer.text] == [], op.name


def test_every_operator_operation_refuses_a_brand_key(live_api: LiveApi) -> None:
    world = _world(live_api)
    _, key = live_api.create_brand("Peckham Plants")
    brand = live_api.client(key)
    operator_ops = [op for op in _operations(live_api) if op.operator_only]
    for op in operator_ops:
        values = {name: world.ids.get(name, "unknown_0000000000000000") for name in op.id_params}
        answer = brand.request(op.method, _fill(op.path, values), json={})
        assert answer.status_code == 403, (op.name, answer.status_code, answer.text)
        assert answer.headers["content-type"] == PROBLEM, op.name
        assert [t for t in world.telltales if t in answer.text] == [], op.name
    assert len(operator_ops) >= 10
