"""Plans over real HTTP on SQLite and PostgreSQL, solved by the server's job consumer on
the packaged Camden road network."""

from __future__ import annotations

import math
import time
from datetime import date
from typing import Any

import httpx

from doorstep.services import plans
from doorstep.services.plans.use_cases import RequestPlan
from doorstep.sim.addresses import load_addresses
from tests.factories import order_payload
from tests.integration.live_server import SYSTEM, LiveApi

PROBLEM = "application/problem+json"
HUB = (51.5486, -0.1389)  # Regis Road, Kentish Town
DAY = "2026-11-26"


def _near_hub(count: int) -> list[Any]:
    def metres(lat: float, lon: float) -> float:
        dy = (lat - HUB[0]) * 111_320
        dx = (lon - HUB[1]) * 111_320 * math.cos(math.radians(HUB[0]))
        return math.hypot(dx, dy)

    near = [a for a in load_addresses() if metres(a.lat, a.lon) < 1500]
    return near[:count]


def _standing(admin: httpx.Client) -> tuple[str, list[str]]:
    hub = admin.post(
        "/v1/hubs",
        json={
            "name": "Camden Hub",
            "address": "Regis Road, London NW5",
            "lat": HUB[0],
            "lon": HUB[1],
        },
    )
    assert hub.status_code == 201, hub.text
    hub_id: str = hub.json()["id"]
    vehicles = []
    for name in ("Van 1", "Van 2"):
        made = admin.post(
            "/v1/vehicles",
            json={
                "name": name,
                "hub_id": hub_id,
                "capacity": {"parcels": 60, "weight_kg": 500, "volume_litres": 4000},
            },
        )
        assert made.status_code == 201, made.text
        vehicles.append(made.json()["id"])
    return hub_id, vehicles


def _orders(brand: httpx.Client, hub_id: str, count: int) -> list[str]:
    parcel_ids = []
    for address in _near_hub(count):
        body = order_payload(hub_id=hub_id)
        body["address"] |= {
            "lines": list(address.lines),
            "postcode": address.postcode,
            "lat": address.lat,
            "lon": address.lon,
        }
        body["window"] = {"start": f"{DAY}T09:00:00Z", "end": f"{DAY}T17:00:00Z"}
        made = brand.post("/v1/orders", json=body)
        assert made.status_code == 201, made.text
        parcel_ids += [p["id"] for p in made.json()["parcels"]]
    return parcel_ids


def _wait(admin: httpx.Client, path: str, timeout_s: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    seen = set()
    while time.monotonic() < deadline:
        plan: dict[str, Any] = admin.get(path).json()
        seen.add(plan["status"])
        if plan["status"] in {"succeeded", "failed"}:
            plan["seen"] = seen
            return plan
        time.sleep(0.2)
    raise AssertionError(f"plan not finished after {timeout_s} s (seen {seen})")


def test_a_dispatcher_plans_the_day_on_the_camden_network(live_api: LiveApi) -> None:
    admin = live_api.client(live_api.create_operator())
    _, key = live_api.create_brand()
    brand = live_api.client(key)
    hub_id, vehicles = _standing(admin)
    parcels = _orders(brand, hub_id, 15)

    body = {"hub_id": hub_id, "date": DAY, "budget_s": 2, "network": "camden"}
    asked = admin.post("/v1/plans", json=body, headers={"Idempotency-Key": "plan-1"})
    assert asked.status_code == 202, asked.text
    plan = asked.json()
    assert plan["status"] == "queued" and plan["progress"]["fraction"] == 0
    assert asked.headers["location"] == plan["links"]["self"]
    replay = admin.post("/v1/plans", json=body, headers={"Idempotency-Key": "plan-1"})
    assert replay.json()["id"] == plan["id"]

    done = _wait(admin, plan["links"]["self"])
    assert done["status"] == "succeeded", done["error"]
    assert done["progress"]["fraction"] == 1
    document = done["result"]
    routed = [p for r in document["routes"] for s in r["stops"] for p in s["parcel_ids"]]
    left = {p: u["reason"] for u in document["unassigned"] for p in u["parcel_ids"]}
    assert sorted(routed + list(left)) == sorted(parcels)
    assert len(routed) == len(set(routed)) and routed
    assert {r["vehicle_id"] for r in document["routes"]} <= set(vehicles)

    geo = admin.get(plan["links"]["self"], headers={"Accept": "application/geo+json"})
    assert geo.status_code == 200 and geo.headers["content-type"] == "application/geo+json"
    kinds = [f["properties"]["kind"] for f in geo.json()["features"]]
    assert kinds.count("stop") == document["totals"]["stops"] and "route" in kinds
    assert admin.get(plan["links"]["geojson"]).json() == geo.json()

    assert brand.get(plan["links"]["self"]).status_code == 403
    assert brand.post("/v1/plans", json=body).status_code == 403
    missing = admin.get("/v1/plans/pln_0000000000000000")
    assert missing.status_code == 404 and missing.headers["content-type"] == PROBLEM


def test_bad_plan_requests_are_422_naming_the_field(live_api: LiveApi) -> None:
    admin = live_api.client(live_api.create_operator())
    hub_id, vehicles = _standing(admin)
    base: dict[str, Any] = {"hub_id": hub_id, "date": DAY, "budget_s": 2}
    cases: list[tuple[dict[str, Any], str]] = [
        ({"date": "26/11/2026"}, "date"),
        ({"budget_s": 0}, "budget_s"),
        ({"budget_s": 301}, "budget_s"),
        ({"network": "atlantis"}, "network"),
        ({"vehicles": [{"vehicle_id": "veh_0000000000000000"}]}, "vehicles[0].vehicle_id"),
        (
            {
                "vehicles": [
                    {"vehicle_id": vehicles[0], "shift_start": "17:00", "shift_end": "09:00"}
                ]
            },
            "vehicles[0].shift_end",
        ),
    ]
    for change, field in cases:
        answer = admin.post("/v1/plans", json=base | change)
        assert answer.status_code == 422, (change, answer.text)
        assert answer.headers["content-type"] == PROBLEM
        assert field in [e["field"] for e in answer.json()["errors"]], answer.json()


def test_geojson_of_a_plan_not_yet_solved_is_409(live_api: LiveApi) -> None:
    admin = live_api.client(live_api.create_operator())
    hub_id, _ = _standing(admin)
    # Stored but never enqueued, so it stays queued while we look.
    queued = plans.request_plan(
        live_api.container.uow_factory(SYSTEM),
        RequestPlan(hub_id=hub_id, plan_date=date.fromisoformat(DAY)),
        live_api.container.clock,
    )
    early = admin.get(f"/v1/plans/{queued.id}", headers={"Accept": "application/geo+json"})
    assert early.status_code == 409 and early.headers["content-type"] == PROBLEM
    assert early.json()["type"].endswith("plan_not_ready")
    assert admin.get(f"/v1/plans/{queued.id}").json()["status"] == "queued"


def test_the_api_guides_first_order_is_placed_at_its_postcode_and_routed(
    live_api: LiveApi,
) -> None:
    """The guide's order gives no lat/lon: intake places it at WC2A 3HP, so it is routed
    (it used to be ``unroutable_address``); a postcode nobody knows says so in the plan."""
    admin = live_api.client(live_api.create_operator())
    _, key = live_api.create_brand()
    brand = live_api.client(key)
    hub_id, _ = _standing(admin)
    guide = order_payload(reference="SHOP-1001", service_level="same_day")
    guide["address"] = {"lines": ["12 Gate Street"], "postcode": "WC2A 3HP"}
    made = brand.post("/v1/orders", json=guide)
    assert made.status_code == 201, made.text
    assert abs(made.json()["address"]["lat"] - 51.517) < 0.01
    lost = order_payload(reference="SHOP-1002", service_level="same_day")
    lost["address"] = {"lines": ["1 Piccadilly"], "postcode": "M1 1AE"}
    missing = brand.post("/v1/orders", json=lost)
    assert missing.status_code == 201 and missing.json()["address"]["lat"] is None

    body = {"hub_id": hub_id, "date": DAY, "budget_s": 1, "network": "straight_line"}
    done = _wait(admin, admin.post("/v1/plans", json=body).json()["links"]["self"])
    assert done["status"] == "succeeded", done["error"]
    (stop,) = [s for r in done["result"]["routes"] for s in r["stops"]]
    assert [p["reference"] for p in stop["parcels"]] == ["SHOP-1001"]
    assert stop["address_lines"] == ["12 Gate Street"] and stop["recipient_first_name"] == "Ada"
    (left,) = done["result"]["unassigned"]
    assert left["reason"] == "unroutable_address" and "M1 1AE" in left["detail"]
