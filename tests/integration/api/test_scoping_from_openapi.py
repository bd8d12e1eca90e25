"""Tenant scoping and roles, checked for every operation the OpenAPI publishes.

The operations come from ``/v1/openapi.json``, not from a hand-written list, so a new route
is checked the day it is added: one that takes an id must answer another brand's id with the
same 404 as an id that does not exist, and one for the delivery company's staff must refuse a
brand key with 403. Every operation must also have a row in ``ACCESS`` (the table in
docs/api.md): what an admin, a dispatcher, a courier and a brand may do with it, checked
against real objects, and every one refuses a caller without credentials with 401. A new kind
of id needs an object in :func:`_world`, a new tag needs a place in ``OPERATOR_TAGS`` or
``BRAND_TAGS``, and a route that cannot be checked this way must be listed in
``KNOWN_EXCEPTIONS`` with the reason; otherwise these tests fail and say so.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from doorstep.domain import ids
from doorstep.domain.exceptions import ExceptionKind, key_of
from doorstep.domain.model import Role
from doorstep.services import exceptions, webhooks
from doorstep.services.relay import relay_pending
from tests.courier_day import SYSTEM, dispatched_day
from tests.factories import order_payload
from tests.images import photo, sha256
from tests.integration.live_server import HANG_GUARD_S, LiveApi

PROBLEM = "application/problem+json"
# Tags of operations no brand key may use (office staff's, and the courier app's).
OPERATOR_TAGS = {
    "hubs",
    "fleet",
    "brands",
    "users",
    "plans",
    "routes",
    "courier",
    "blobs",
    "exceptions",
}
BRAND_TAGS = {"orders", "parcels", "auth", "notifications", "webhooks", "returns"}
KNOWN_EXCEPTIONS = {
    "POST /v1/auth/token": "the login itself: it takes credentials, not a bearer token",
    "GET /v1/blobs/{sha256}": "a signed link, not a bearer token, opens it (test_blobs_http)",
    "POST /v1/sms/inbound": "the SMS provider's signature, not a bearer token, lets it in "
    "(test_notifications_http)",
}
STAFF = {"name": "Sam Staff", "role": "dispatcher", "password": "correct horse battery staple"}
HUB = {"name": "Kentish Town", "address": "1 Regis Road", "lat": 51.55, "lon": -0.14}
VEHICLE = {"name": "Van 1", "capacity": {"parcels": 60, "weight_kg": 500, "volume_litres": 4000}}
# Bodies for operations that take an id and require a body, so that validation does not
# answer 422 before the lookup could answer 404 (cancel's body is optional).
BODIES: dict[str, dict[str, Any]] = {
    "PUT /v1/brands/{brand_id}/delivery-policy": {
        "attempts_allowed": 3,
        "reattempt": "next_working_day",
        "hold_at_hub_days": 7,
        "after_last_attempt": "return_to_sender",
    },
    "PUT /v1/brands/{brand_id}/notification-settings": {"channels": {"sms": ["delivered"]}},
    "POST /v1/brands/{brand_id}/notification-preview": {"kind": "delivered", "channel": "sms"},
    "PATCH /v1/webhook-endpoints/{endpoint_id}": {"description": "renamed"},
}
HOOK = {"url": "http://127.0.0.1:9/hooks", "event_types": ["order.created"]}
PHOTO = photo()


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
    key: str  # the owning brand's API key
    telltales: list[str]

    def barcode(self) -> str:
        return self.telltales[2]


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
    hub = admin.post("/v1/hubs", json=HUB).json()
    admin.post("/v1/vehicles", json=VEHICLE | {"hub_id": hub["id"]}).raise_for_status()
    plan = admin.post("/v1/plans", json=_plan_body(hub["id"]))
    assert plan.status_code == 202, plan.text
    # A second key and a staff user, for the routes that revoke and deactivate them.
    spare_key = admin.post(f"/v1/brands/{brand_id}/api-keys", json={"name": "spare"})
    assert spare_key.status_code == 201, spare_key.text
    user = admin.post("/v1/users", json=STAFF | {"email": f"{ids.new_barcode()}@example.com"})
    assert user.status_code == 201, user.text
    # A dispatched route of another courier than the one that calls (the courier caller).
    day = dispatched_day(live_api.container.uow_factory, stops=1)
    # A webhook endpoint of the brand, and a delivery to it: an order made after it, whose
    # event the relay (a job of the server, or this call, whichever comes first) fans out.
    hook = live_api.client(key).post("/v1/webhook-endpoints", json=HOOK)
    assert hook.status_code == 201, hook.text
    live_api.client(key).post("/v1/orders", json=order_payload()).raise_for_status()
    clock = live_api.container.clock
    relay_pending(live_api.container.uow_factory, clock, [webhooks.fan_out(clock)])
    delivery = _first_delivery(live_api, key, hook.json()["id"])
    with live_api.container.uow_factory(SYSTEM) as uow:
        raised = exceptions.raise_exception(
            uow,
            ExceptionKind.ROUTE_NOT_STARTED,
            key_of(day.route_id),
            at=clock.now(),
            details="not started",
            route_id=day.route_id,
        )
        uow.commit()
    assert raised is not None
    return World(
        ids={
            "order_id": order["id"],
            "parcel_id": parcel["id"],
            "hub_id": hub["id"],
            "brand_id": brand_id,
            "plan_id": plan.json()["id"],
            "key_id": spare_key.json()["id"],
            "user_id": user.json()["id"],
            "route_id": day.route_id,
            "stop_id": day.stop_ids[0],
            "sha256": sha256(PHOTO),
            "endpoint_id": hook.json()["id"],
            "delivery_id": delivery,
            "exception_id": raised.id,
        },
        key=key,
        telltales=[
            order["id"],
            parcel["id"],
            parcel["barcode"],
            order["reference"],
            order["tracking_url"].rsplit("/", 1)[-1],
            order["recipient"]["name"],
            brand_id,
            hook.json()["secret"],
        ],
    )


def _first_delivery(live_api: LiveApi, key: str, endpoint_id: str) -> str:
    deadline = time.monotonic() + HANG_GUARD_S
    while time.monotonic() < deadline:
        found = live_api.client(key).get(f"/v1/webhook-endpoints/{endpoint_id}/deliveries")
        assert found.status_code == 200, found.text
        if found.json()["items"]:
            return str(found.json()["items"][0]["id"])
        time.sleep(0.05)
    raise AssertionError("no webhook delivery was made for the new order")


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
    brand_id, key = live_api.create_brand()
    order = live_api.client(key).post("/v1/orders", json=order_payload()).json()
    hook = live_api.client(key).post("/v1/webhook-endpoints", json=HOOK).json()
    values = {
        "order_id": order["id"],
        "parcel_id": order["parcels"][0]["id"],
        "endpoint_id": hook["id"],
        "brand_id": brand_id,
    }
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


# What each role may do with each operation, as documented in docs/api.md ("Who may do
# what"): OK reaches the object (any answer but 401, 403, 404 or a server error); HIDDEN
# answers as if nothing existed (404 like a missing id; an empty list); REFUSED is 403.
OK, HIDDEN, REFUSED = "ok", "hidden", "refused"
ROLES = ("admin", "dispatcher", "courier", "brand")
_BRAND_ROUTE = (OK, OK, REFUSED, OK)  # orders: written by brands and office staff
_READ_ROUTE = (OK, OK, HIDDEN, OK)  # a courier sees only stops of routes assigned to it
_STAFF_ROUTE = (OK, OK, REFUSED, REFUSED)
_ADMIN_ROUTE = (OK, REFUSED, REFUSED, REFUSED)
_CREW_READ = (OK, OK, HIDDEN, REFUSED)  # routes: office staff all, a courier their own
_COURIER_ROUTE = (REFUSED, REFUSED, OK, REFUSED)  # the courier app: the courier themself
_PROOF_ROUTE = (OK, OK, OK, REFUSED)  # couriers take the proof, office staff may too
_BRAND_SETTINGS = (OK, REFUSED, REFUSED, OK)  # an admin any brand's, a brand its own
_HOOK_READ = (OK, OK, REFUSED, OK)  # webhooks: a brand its own, office staff all
_HOOK_WRITE = (OK, REFUSED, REFUSED, OK)  # changed by the brand or an operator admin
ACCESS: dict[str, tuple[str, str, str, str]] = {
    "POST /v1/plans/{plan_id}/dispatch": _STAFF_ROUTE,
    "GET /v1/routes": _CREW_READ,
    "GET /v1/routes/{route_id}": _CREW_READ,
    "POST /v1/routes/{route_id}/stops/{stop_id}/remove": _STAFF_ROUTE,
    "POST /v1/routes/{route_id}/reorder": _STAFF_ROUTE,
    "POST /v1/routes/{route_id}/stops/{stop_id}/move": _STAFF_ROUTE,
    "POST /v1/routes/{route_id}/reassign": _STAFF_ROUTE,
    "POST /v1/courier/actions": _COURIER_ROUTE,
    "POST /v1/courier/stops/{stop_id}/access-code": (REFUSED, REFUSED, HIDDEN, REFUSED),
    "POST /v1/users": _ADMIN_ROUTE,
    "POST /v1/orders/import": _BRAND_ROUTE,
    "POST /v1/orders": _BRAND_ROUTE,
    "POST /v1/orders/batch": _BRAND_ROUTE,
    "GET /v1/orders": _READ_ROUTE,
    "GET /v1/orders/{order_id}": _READ_ROUTE,
    "POST /v1/orders/{order_id}/cancel": _BRAND_ROUTE,
    "GET /v1/orders/{order_id}/verify": _READ_ROUTE,
    "GET /v1/orders/{order_id}/proof": _READ_ROUTE,
    "GET /v1/orders/{order_id}/proof.pdf": _READ_ROUTE,
    "GET /v1/parcels/{parcel_id}": _READ_ROUTE,
    "GET /v1/parcels/{parcel_id}/events": _READ_ROUTE,
    "GET /v1/parcels/{parcel_id}/label": _READ_ROUTE,
    "GET /v1/hubs": _STAFF_ROUTE,
    "POST /v1/hubs": _STAFF_ROUTE,
    "POST /v1/hubs/{hub_id}/scans": _STAFF_ROUTE,
    "GET /v1/hubs/{hub_id}/exceptions": _STAFF_ROUTE,
    "GET /v1/vehicles": _STAFF_ROUTE,
    "POST /v1/vehicles": _STAFF_ROUTE,
    "GET /v1/couriers": _STAFF_ROUTE,
    "POST /v1/couriers": _STAFF_ROUTE,
    "GET /v1/brands": _STAFF_ROUTE,
    "POST /v1/brands": _ADMIN_ROUTE,
    "POST /v1/brands/{brand_id}/api-keys": _ADMIN_ROUTE,
    "GET /v1/brands/{brand_id}/api-keys": _ADMIN_ROUTE,
    "DELETE /v1/brands/{brand_id}/api-keys/{key_id}": _ADMIN_ROUTE,
    "PUT /v1/brands/{brand_id}/appearance": _ADMIN_ROUTE,
    "PUT /v1/brands/{brand_id}/logo": _ADMIN_ROUTE,
    "POST /v1/users/{user_id}/deactivate": _ADMIN_ROUTE,
    "POST /v1/plans": _STAFF_ROUTE,
    "GET /v1/plans/{plan_id}": _STAFF_ROUTE,
    "GET /v1/plans/{plan_id}/geojson": _STAFF_ROUTE,
    "POST /v1/courier/pings": _COURIER_ROUTE,
    "PUT /v1/blobs/{sha256}": _PROOF_ROUTE,
    "GET /v1/brands/{brand_id}/notification-settings": _BRAND_SETTINGS,
    "PUT /v1/brands/{brand_id}/notification-settings": _BRAND_SETTINGS,
    "POST /v1/brands/{brand_id}/notification-preview": _BRAND_SETTINGS,
    "POST /v1/webhook-endpoints": _HOOK_WRITE,
    "GET /v1/webhook-endpoints": _HOOK_READ,
    "GET /v1/webhook-endpoints/dead-letters": _HOOK_READ,
    "GET /v1/webhook-endpoints/{endpoint_id}": _HOOK_READ,
    "PATCH /v1/webhook-endpoints/{endpoint_id}": _HOOK_WRITE,
    "DELETE /v1/webhook-endpoints/{endpoint_id}": _HOOK_WRITE,
    "POST /v1/webhook-endpoints/{endpoint_id}/rotate-secret": _HOOK_WRITE,
    "GET /v1/webhook-endpoints/{endpoint_id}/deliveries": _HOOK_READ,
    "GET /v1/webhook-endpoints/{endpoint_id}/attempts": _HOOK_READ,
    "POST /v1/webhook-endpoints/{endpoint_id}/deliveries/{delivery_id}/replay": _HOOK_WRITE,
    "GET /v1/exceptions": _STAFF_ROUTE,
    "GET /v1/exceptions/{exception_id}": _STAFF_ROUTE,
    "POST /v1/exceptions/{exception_id}/resolve": _STAFF_ROUTE,
    "GET /v1/brands/{brand_id}/delivery-policy": _HOOK_READ,
    "PUT /v1/brands/{brand_id}/delivery-policy": _STAFF_ROUTE,
    "GET /v1/returns": _HOOK_READ,
    "GET /v1/returns/manifest.csv": _HOOK_READ,
    "GET /v1/returns/manifest.pdf": _HOOK_READ,
    "GET /v1/returns/{parcel_id}/label": _STAFF_ROUTE,
    "POST /v1/returns/handover": _STAFF_ROUTE,
}


def _plan_body(hub_id: str) -> dict[str, Any]:
    return {"hub_id": hub_id, "date": "2026-11-27", "budget_s": 1, "network": "straight_line"}


def _valid_body(name: str, world: World, brand: dict[str, str]) -> dict[str, Any] | None:
    """A body the operation accepts, so that only the caller's role decides the answer."""
    unique = ids.new_barcode()
    bodies: dict[str, dict[str, Any]] = {
        "POST /v1/users": STAFF | {"email": f"staff-{unique}@example.com".lower()},
        "POST /v1/orders": order_payload(**brand),
        "POST /v1/orders/batch": {"orders": [order_payload(**brand)]},
        "POST /v1/hubs": HUB,
        "POST /v1/hubs/{hub_id}/scans": {
            "client_event_id": f"scan-{unique}",
            "barcode": world.barcode(),
            "kind": "receive",
            "scanned_at": "2026-11-26T07:00:00Z",
        },
        "POST /v1/vehicles": VEHICLE,
        "POST /v1/couriers": {"name": "Kit Courier", "phone": "+447700900555"},
        "POST /v1/brands": {"name": f"Brand {unique}"},
        "POST /v1/brands/{brand_id}/api-keys": {"name": "shop"},
        "PUT /v1/brands/{brand_id}/appearance": {"colour": "#0a7d32"},
        "POST /v1/plans": _plan_body(world.ids["hub_id"]),
        "POST /v1/plans/{plan_id}/dispatch": {
            "routes": [{"route_index": 0, "courier_id": "cou_0"}]
        },
        "POST /v1/courier/actions": {
            "actions": [
                {
                    "client_event_id": f"act-{unique}",
                    "device_time": "2026-11-25T08:00:00Z",
                    "type": "start_route",
                    "route_id": world.ids["route_id"],
                }
            ]
        },
        "POST /v1/courier/stops/{stop_id}/access-code": {
            "position": {"lat": 51.539, "lon": -0.1426, "accuracy_m": 5}
        },
        "POST /v1/routes/{route_id}/stops/{stop_id}/remove": {"reason": "recipient on holiday"},
        "POST /v1/routes/{route_id}/reorder": {"stop_ids": [world.ids["stop_id"]]},
        "POST /v1/routes/{route_id}/stops/{stop_id}/move": {"to_route_id": world.ids["route_id"]},
        "POST /v1/routes/{route_id}/reassign": {"courier_id": ids.new_id("cou")},
        **BODIES,
        "POST /v1/courier/pings": {
            "pings": [{"lat": 51.55, "lon": -0.14, "accuracy_m": 8, "at": _a_moment_ago()}]
        },
        "POST /v1/webhook-endpoints": HOOK | brand,
        "PATCH /v1/webhook-endpoints/{endpoint_id}": {"description": "renamed"},
        "POST /v1/exceptions/{exception_id}/resolve": {"note": "handled"},
    }
    return bodies.get(name)


def _a_moment_ago() -> str:
    """A device time the server takes: positions are checked against the server's clock."""
    return (datetime.now(UTC) - timedelta(seconds=5)).isoformat()


def _call(
    http: httpx.Client, op: Operation, values: dict[str, str], world: World, role: str
) -> httpx.Response:
    brand = {} if role == "brand" else {"brand_id": world.ids["brand_id"]}
    path = _fill(op.path, values)
    if op.name == "POST /v1/orders/import":
        csv = b"reference,recipient_name\nSHOP-1,Ada\n"
        return http.post(path, params=brand, content=csv, headers={"Content-Type": "text/csv"})
    if op.name in ("PUT /v1/blobs/{sha256}", "PUT /v1/brands/{brand_id}/logo"):
        return http.put(path, content=PHOTO, headers={"Content-Type": "image/jpeg"})
    if op.path.startswith("/v1/returns") and op.method == "GET" and not op.id_params:
        return http.get(path, params=brand)  # office staff name the brand; a brand its own
    if op.name == "DELETE /v1/webhook-endpoints/{endpoint_id}" and values == world.ids:
        # Each caller deletes an endpoint of its own making, so the shared one stays.
        owner = {"Authorization": f"Bearer {world.key}"}
        spare = http.post("/v1/webhook-endpoints", json=HOOK, headers=owner).json()["id"]
        path = _fill(op.path, {"endpoint_id": spare})
    return http.request(op.method, path, json=_valid_body(op.name, world, brand))


def _callers(live_api: LiveApi, world: World) -> dict[str, httpx.Client]:
    admin = live_api.client(live_api.create_operator(Role.ADMIN))
    courier = admin.post("/v1/couriers", json={"name": "Kit Courier", "phone": "+447700900123"})
    assert courier.status_code == 201, courier.text
    tokens = {
        "admin": live_api.create_operator(Role.ADMIN),
        "dispatcher": live_api.create_operator(Role.DISPATCHER),
        "courier": live_api.create_operator(Role.COURIER, courier_id=courier.json()["id"]),
        "brand": world.key,
    }
    return {role: live_api.client(token) for role, token in tokens.items()}


def _check(
    op: Operation,
    role: str,
    expected: str,
    answer: httpx.Response,
    absent: httpx.Response | None,
    world: World,
) -> str | None:
    """What is wrong with ``answer`` for ``role``, or None."""
    got = f"{op.name} as {role}: expected {expected}, got {answer.status_code} {answer.text[:200]}"
    leaked = [t for t in world.telltales if t in answer.text]
    if expected == OK:
        return got if answer.status_code in {401, 403, 404} or answer.status_code >= 500 else None
    if expected == REFUSED:
        refused = answer.status_code == 403 and answer.headers["content-type"] == PROBLEM
        return None if refused and not leaked else got
    if absent is not None:  # HIDDEN, an id: exactly the answer for an id that does not exist
        same = answer.status_code == 404 and answer.content == absent.content
        return None if same and not leaked else got
    return None if answer.status_code == 200 and not leaked else got


def test_every_role_gets_what_the_access_table_says_on_every_operation(
    live_api: LiveApi,
) -> None:
    world = _world(live_api)
    callers = _callers(live_api, world)
    operations = _operations(live_api)
    assert sorted(op.name for op in operations) == sorted(ACCESS), (
        "every operation needs a row in ACCESS (and in docs/api.md)"
    )
    problems = []
    for op in operations:
        for role, expected in zip(ROLES, ACCESS[op.name], strict=True):
            http = callers[role]
            answer = _call(http, op, world.ids, world, role)
            absent = None
            if expected == HIDDEN and op.id_params:
                nowhere = {name: ids.new_id(world.ids[name].split("_")[0]) for name in op.id_params}
                absent = _call(http, op, nowhere, world, role)
            if (problem := _check(op, role, expected, answer, absent, world)) is not None:
                problems.append(problem)
    assert problems == [], "\n".join(problems)


def test_every_operation_refuses_a_caller_without_credentials(live_api: LiveApi) -> None:
    world = _world(live_api)
    nobody = live_api.client()
    for op in _operations(live_api):
        answer = nobody.request(op.method, _fill(op.path, world.ids), json={})
        assert answer.status_code == 401, (op.name, answer.status_code, answer.text)
        assert answer.headers["content-type"] == PROBLEM, op.name
        assert [t for t in world.telltales if t in answer.text] == [], op.name
