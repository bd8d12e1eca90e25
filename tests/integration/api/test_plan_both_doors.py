"""One day planned through both doors gives the same routes.

``doorstep plan`` reads an order file and a fleet file; ``POST /v1/plans`` plans the same
orders imported into the database, on the same vehicles. Both take the one road (the
same builder, provider, traffic and geocoding), so with a fixed seed and iteration count
the routes are the same, stop for stop and minute for minute: rows without coordinates
are placed at their postcode by both, EC/WC stops park as central London in both, and a
postcode nobody knows is ``unroutable_address`` with its reason in both.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from doorstep.planning.params import PlannerParams
from tests.integration.live_server import LiveApi, serve

REPO = Path(__file__).parents[3]
EXAMPLE = REPO / "docs" / "examples" / "plan-orders.csv"
HUB = (51.5353, -0.1426)
DAY = "2026-11-26"
SEED, ITERATIONS = 3, 300
UNKNOWN = "CAM-2999,Z. Jones,1 Piccadilly,Manchester,M1 1AE,,,house,next_day,,,normal,1,1.0,,,"
# Shifts, breaks and costs as the API's defaults spell them, so both doors plan one fleet.
FLEET = (
    "vehicle_id,vehicle_type,capacity_parcels,capacity_kg,capacity_litres,shift_start,"
    "shift_end,break_earliest,break_latest,break_minutes,cost_per_km,cost_per_hour\n"
    "VAN-1,van,30,400,2000,08:00,18:00,12:00,14:00,30,0.5,15.0\n"
    "BIKE-1,e_cargo_bike,15,100,300,08:00,18:00,12:00,14:00,30,0.5,15.0\n"
)
VEHICLES = [("VAN-1", "van", (30, 400, 2000)), ("BIKE-1", "e_cargo_bike", (15, 100, 300))]


@pytest.fixture
def bounded_api(database_url: str) -> Iterator[LiveApi]:
    """The live API with plan jobs bounded by iterations, as the CLI run is."""
    planner = PlannerParams(seed=SEED, workers=1, max_iterations=ITERATIONS)
    with serve(database_url, planner=planner) as live:
        yield live


def _orders_file(tmp: Path) -> Path:
    """The example's first 24 orders (three without coordinates) and an unknown postcode."""
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    path = tmp / "orders.csv"
    path.write_text("\n".join([*lines[:25], UNKNOWN]) + "\n", encoding="utf-8")
    return path


def _by_cli(tmp: Path, orders: Path) -> dict[str, Any]:
    fleet, out = tmp / "fleet.csv", tmp / "cli-plan.json"
    fleet.write_text(FLEET, encoding="utf-8")
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DOORSTEP_")}
    environment |= {"DOORSTEP_DATA_DIR": str(tmp / "cli-data"), "DOORSTEP_MODE": "test"}
    result = subprocess.run(
        [
            sys.executable, "-m", "doorstep", "plan", str(orders), "--fleet", str(fleet),
            "--hub", f"{HUB[0]},{HUB[1]}", "--date", DAY, "--depart", "08:00",
            "--network", "camden", "--budget", "120", "--seed", str(SEED),
            "--workers", "1", "--iterations", str(ITERATIONS), "--out", str(out),
        ],
        capture_output=True, text=True, env=environment, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "M1 1AE" in result.stderr  # the unknown postcode is a warning naming its row
    document: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return document


def _by_api(live: LiveApi, orders: Path) -> dict[str, Any]:
    admin = live.client(live.create_operator())
    _, key = live.create_brand()
    hub = admin.post(
        "/v1/hubs",
        json={"name": "Camden", "address": "Camden, London", "lat": HUB[0], "lon": HUB[1]},
    )
    assert hub.status_code == 201, hub.text
    shifts = []
    for name, kind, (parcels, kg, litres) in VEHICLES:
        capacity = {"parcels": parcels, "weight_kg": kg, "volume_litres": litres}
        body = {"name": name, "vehicle_type": kind, "capacity": capacity}
        made = admin.post("/v1/vehicles", json=body | {"hub_id": hub.json()["id"]})
        assert made.status_code == 201, made.text
        shifts.append({"vehicle_id": made.json()["id"], "shift_end": "18:00"})
    imported = live.client(key).post(
        "/v1/orders/import",
        content=orders.read_bytes(),
        headers={"Content-Type": "text/csv"},
        params={"atomic": "true"},
    )
    assert imported.status_code == 200, imported.text
    plan: dict[str, Any] = {
        "hub_id": hub.json()["id"],
        "date": DAY,
        "depart": "08:00",
        "budget_s": 120,
        "network": "camden",
        "vehicles": shifts,
    }
    asked = admin.post("/v1/plans", json=plan)
    assert asked.status_code == 202, asked.text
    return _finished(admin, asked.json()["links"]["self"])


def _finished(admin: httpx.Client, path: str) -> dict[str, Any]:
    for _ in range(600):  # polls, not a limit on the solve: it is bounded by iterations
        plan: dict[str, Any] = admin.get(path).json()
        if plan["status"] in {"succeeded", "failed"}:
            assert plan["status"] == "succeeded", plan["error"]
            result: dict[str, Any] = plan["result"]
            return result
        time.sleep(0.5)
    raise AssertionError(f"plan {path} still {plan['status']}")


def _routes(document: dict[str, Any]) -> list[tuple[str, list[tuple[list[str], str]]]]:
    """Each route as its vehicle type and stops: the references served, and the arrival."""
    return [
        (
            route["vehicle_type"],
            [([p["reference"] for p in s["parcels"]], s["arrival"]) for s in route["stops"]],
        )
        for route in document["routes"]
    ]


def _left(document: dict[str, Any]) -> list[tuple[str, str | None, int]]:
    return sorted((u["reason"], u["detail"], len(u["parcel_ids"])) for u in document["unassigned"])


def test_the_cli_and_the_api_plan_the_same_day_into_the_same_routes(
    bounded_api: LiveApi, tmp_path: Path
) -> None:
    orders = _orders_file(tmp_path)
    by_cli = _by_cli(tmp_path, orders)
    by_api = _by_api(bounded_api, orders)

    assert by_api["totals"]["stops"] >= 15  # a real day, not two empty plans
    assert _routes(by_api) == _routes(by_cli)
    assert _left(by_api) == _left(by_cli)
    assert ("unroutable_address", "unknown postcode 'M1 1AE' and no lat/lon given", 1) in _left(
        by_api
    )
    assert by_api["totals"] == by_cli["totals"]
    served = {p["reference"] for r in by_api["routes"] for s in r["stops"] for p in s["parcels"]}
    assert {"CAM-2010", "CAM-2020"} <= served  # placed at their postcode at intake
    first = by_api["routes"][0]["stops"][0]
    assert first["address_lines"] and first["recipient_first_name"]
    assert all(p["barcode"] for p in first["parcels"])
