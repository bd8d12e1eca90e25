"""The console's Plan page over real HTTP on SQLite and PostgreSQL: upload orders, plan,
move and lock stops, re-plan, dispatch; and every refusal is a page, never a 500."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import time as clock_time

import httpx
import pytest

from doorstep.domain.model import Capacity, GeoPoint, Role, VehicleType
from doorstep.planning.document import PlanDocument
from doorstep.planning.params import PlannerParams
from doorstep.services import fleet, plans
from doorstep.services.ports import PlanRecord
from tests.integration.live_server import HANG_GUARD_S, SYSTEM, LiveApi, serve
from tests.integration.web.console_client import Visitor, make_user, visitor

BOUNDED = PlannerParams(workers=1, max_iterations=200)  # the same plan on any machine
DAY = "2026-11-26"
HUB = (51.5486, -0.1389)
HEADER = (
    "reference,recipient_name,address_line1,postcode,lat,lon,service_level,"
    "window_start,window_end,weight_kg,hub_id\n"
)


def csv_rows(hub_id: str, count: int, bad: bool = True) -> bytes:
    rows = [
        f"PLAN-{i},Ada Lovelace,{i} Kentish Town Road,NW5 2AA,{HUB[0] + 0.002 * (i % 4):.5f},"
        f"{HUB[1] + 0.003 * (i // 4):.5f},next_day,{DAY} 09:00,{DAY} 17:00,1.5,{hub_id}\n"
        for i in range(count)
    ]
    if bad:
        rows.append(f"BAD-1,Ada,1 Road,NW1,,,next_day,,,1,{hub_id}\n")  # postcode
        rows.append(f"BAD-2,Ada,1 Road,NW1 9LL,,,next_day,,,-3,{hub_id}\n")  # weight
    return (HEADER + "".join(rows)).encode()


@pytest.fixture
def live(database_url: str) -> Iterator[LiveApi]:
    with serve(database_url, planner=BOUNDED) as running:
        yield running


def _standing(live: LiveApi, vans: int = 2) -> tuple[str, list[str], list[str], str]:
    uow = live.container.uow_factory
    place = GeoPoint(*HUB)
    hub = fleet.create_hub(
        uow(SYSTEM),
        fleet.CreateHub("Camden Hub", place, "Regis Road, NW5", clock_time(6), clock_time(22)),
    )
    vehicles, couriers = [], []
    for n in range(vans):
        room = Capacity(6, 500.0, 4000.0)  # six parcels: ten orders need both vans
        spec = fleet.CreateVehicle(f"Van {n + 1}", VehicleType.VAN, room, hub_id=hub.id)
        made = fleet.create_vehicle(uow(SYSTEM), spec)
        vehicles.append(made.id)
        couriers.append(
            fleet.create_courier(
                uow(SYSTEM), fleet.CreateCourier(f"Sam {n}", vehicle_id=made.id)
            ).id
        )
    brand_id, _ = live.create_brand()
    return hub.id, vehicles, couriers, brand_id


def _plan(live: LiveApi, plan_id: str) -> PlanRecord:
    return plans.get_plan(live.container.uow_factory(SYSTEM), plan_id)


def _wait(console: Visitor, live: LiveApi, plan_id: str) -> PlanRecord:
    deadline = time.monotonic() + HANG_GUARD_S
    while time.monotonic() < deadline:
        answer = console.get(f"/console/plan/{plan_id}/progress", headers={"HX-Request": "true"})
        assert answer.status_code == 200, answer.text
        if answer.headers.get("HX-Refresh") == "true":
            return _plan(live, plan_id)
        time.sleep(0.2)
    raise AssertionError("the plan did not finish")


def _start(console: Visitor, hub_id: str, vehicles: list[str], budget: str = "5") -> httpx.Response:
    return console.post(
        "/console/plan",
        {"hub": hub_id, "day": DAY, "vehicle": vehicles, "budget": budget,
         "network": "straight_line", "depart": "08:00"},
    )  # fmt: skip


def test_a_dispatcher_uploads_plans_changes_replans_and_dispatches(live: LiveApi) -> None:
    hub_id, vehicles, couriers, brand_id = _standing(live)
    console = visitor(live)
    assert console.log_in(make_user(live, Role.DISPATCHER)).status_code == 303

    uploaded = console.post(
        "/console/plan/upload",
        {"brand": brand_id, "hub": hub_id, "day": DAY},
        files={"file": ("orders.csv", csv_rows(hub_id, 10), "text/csv")},
    )
    assert uploaded.status_code == 200, uploaded.text
    assert "10 accepted" in uploaded.text and "2 rejected" in uploaded.text
    assert "postcode" in uploaded.text and "weight_kg" in uploaded.text
    shown = console.get("/console/plan", params={"hub": hub_id, "day": DAY})
    assert "<strong>10</strong> orders" in shown.text

    started = _start(console, hub_id, vehicles)
    assert started.status_code == 303, started.text
    plan_id = started.headers["location"].rsplit("/", 1)[-1]
    solved = _wait(console, live, plan_id)
    assert solved.result is not None
    doc = PlanDocument.model_validate(solved.result)
    page = console.get(f"/console/plan/{plan_id}")
    assert page.status_code == 200 and 'id="routes-table"' in page.text
    assert page.headers["content-security-policy"].startswith("default-src 'none'")
    geo = console.get(f"/console/plan/{plan_id}/map.json").json()
    assert geo["type"] == "FeatureCollection"

    first = doc.routes[0]
    target = next(v for v in vehicles if v != first.vehicle_id)
    stop = first.stops[-1]
    moved = console.post(
        f"/console/plan/{plan_id}/move", {"stop": stop.stop_id, "to_vehicle": target}
    )
    assert moved.status_code == 200 and "stays there" in moved.text, moved.text
    refused = console.post(f"/console/plan/{plan_id}/dispatch", {"courier_0": couriers[0]})
    assert refused.status_code == 422 and "Re-plan first" in refused.text
    with live.container.uow_factory(SYSTEM).read_only() as uow:
        audit = uow.audit.list_for(plan_id)
    assert [e.action for e in audit] == ["plan.stop_moved"]
    assert audit[0].actor.startswith("usr_")

    again = console.post(f"/console/plan/{plan_id}/replan", {"budget": "5"})
    assert again.status_code == 303, again.text
    new_id = again.headers["location"].rsplit("/", 1)[-1]
    new = PlanDocument.model_validate(_wait(console, live, new_id).result)
    on_target = next(r for r in new.routes if r.vehicle_id == target)
    assert on_target.stops[0].parcel_ids == stop.parcel_ids

    pairs = {r.vehicle_id: i for i, r in enumerate(new.routes)}
    chosen = {
        f"courier_{pairs[v]}": c for v, c in zip(vehicles, couriers, strict=True) if v in pairs
    }
    sent = console.post(f"/console/plan/{new_id}/dispatch", chosen)
    assert sent.status_code == 200, sent.text
    assert "routes dispatched" in sent.text and 'href="/console/today"' in sent.text
    twice = console.post(f"/console/plan/{new_id}/dispatch", chosen)
    assert twice.status_code == 409


def test_refusals_are_pages_that_say_what_to_fix(live: LiveApi) -> None:
    hub_id, vehicles, _, brand_id = _standing(live, vans=1)
    console = visitor(live)
    console.log_in(make_user(live, Role.ADMIN))
    cases = [
        _start(console, hub_id, vehicles, budget="lots"),
        _start(console, hub_id, vehicles, budget="9999"),
        _start(console, hub_id, []),
        console.post("/console/plan", {"hub": hub_id, "day": "26/11/2026", "vehicle": vehicles}),
        console.post("/console/plan", {"hub": "hub\x00\x1b[2J", "day": DAY, "vehicle": vehicles}),
        console.post("/console/plan/upload", {"brand": brand_id}),
        console.post(
            "/console/plan/upload",
            {"brand": "brd_nope"},
            files={"file": ("x.csv", b"reference\n1\n", "text/csv")},
        ),
        console.post("/console/plan/pln_nope/move", {"stop": "s\u202e1", "to_vehicle": "v"}),
        console.post("/console/plan/pln_nope/replan", {}),
    ]
    for answer in cases:
        assert 400 <= answer.status_code < 500, (answer.status_code, answer.text[:300])
        assert 'class="flash flash--error"' in answer.text or "flash--error" in answer.text
    assert console.get("/console/plan/pln_nope").status_code == 404
    assert console.get("/console/plan/pln_nope/map.json").status_code == 404
    assert console.get("/console/plan", params={"day": "not a day"}).status_code == 422
    upload = console.post(
        "/console/plan/upload",
        {"brand": brand_id},
        files={"file": ("bad.csv", "reference,café\n\x00\x01\n".encode(), "text/csv")},
    )
    assert upload.status_code in (200, 422) and "flash" in upload.text


def test_only_admins_and_dispatchers_may_use_the_plan_page(live: LiveApi) -> None:
    hub_id, vehicles, couriers, _ = _standing(live, vans=1)
    nobody = visitor(live)
    assert nobody.get("/console/plan").status_code == 303  # to the login
    refused = nobody.request("POST", "/console/plan", data={"hub": hub_id})
    assert refused.status_code in (401, 403, 415)
    courier = visitor(live)
    assert courier.log_in(make_user(live, Role.COURIER, couriers[0])).status_code == 403
    assert courier.get("/console/plan").status_code == 303
    _, key = live.create_brand("Other Brand")
    brand = live.client(key)
    brand.follow_redirects = False
    assert brand.get("/console/plan").status_code == 303
    assert brand.get("/console/plan/pln_x/map.json").status_code == 303
    dispatcher = visitor(live)
    dispatcher.log_in(make_user(live, Role.DISPATCHER))
    forged = dispatcher.request(
        "POST",
        "/console/plan",
        data={"csrf": "forged", "hub": hub_id, "day": DAY, "vehicle": vehicles, "budget": "5",
              "network": "straight_line"},
    )  # fmt: skip
    assert forged.status_code == 403
    missing = dispatcher.request("POST", "/console/plan", data={"hub": hub_id})
    assert missing.status_code == 403
