"""``doorstep plan`` as a user runs it: the example files, a real process, each format."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).parents[3]
ORDERS = REPO / "docs" / "examples" / "plan-orders.csv"
FLEET = REPO / "docs" / "examples" / "fleet.csv"
HUB = "51.5353,-0.1426"


def run(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DOORSTEP_")},
        "DOORSTEP_DATA_DIR": str(tmp),
        "DOORSTEP_MODE": "test",
    }
    return subprocess.run(
        [sys.executable, "-m", "doorstep", "plan", *args],
        capture_output=True, text=True, env=environment, timeout=120, cwd=tmp, check=False,
    )  # fmt: skip


def plan(tmp: Path, fmt: str, orders: Path = ORDERS, fleet: Path = FLEET, network: str = "camden"):  # type: ignore[no-untyped-def]
    out = tmp / f"plan.{fmt}"
    result = run(
        tmp, str(orders), "--fleet", str(fleet), "--hub", HUB, "--date", "2026-11-26",
        "--depart", "08:00", "--budget", "1", "--network", network, "--out", str(out),
        "--format", fmt, "--workers", "1",
    )  # fmt: skip
    return result, out


def order_parcels() -> set[str]:
    with ORDERS.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return {f"{r['reference']}-{i}" for r in rows for i in range(1, int(r["parcel_count"]) + 1)}


def test_json_plan_of_the_example_covers_every_parcel_exactly_once(tmp_path: Path) -> None:
    result, out = plan(tmp_path, "json")
    assert result.returncode == 0, result.stderr
    assert "planning 59 stops on 4 vehicles" in result.stderr
    assert " routes, 59 stops" in result.stdout or "unassigned" in result.stdout
    document = json.loads(out.read_text())
    routed = [p for r in document["routes"] for s in r["stops"] for p in s["parcel_ids"]]
    left = [p for u in document["unassigned"] for p in u["parcel_ids"]]
    assert sorted(routed + left) == sorted(order_parcels())
    for route in document["routes"]:
        times = [s["arrival"] for s in route["stops"]]
        assert times == sorted(times)


def test_geojson_plan_has_a_line_per_route(tmp_path: Path) -> None:
    result, out = plan(tmp_path, "geojson")
    assert result.returncode == 0, result.stderr
    features = json.loads(out.read_text())["features"]
    lines = [f for f in features if f["geometry"]["type"] == "LineString"]
    stops = [f for f in features if f["properties"]["kind"] == "stop"]
    assert lines and all(len(f["geometry"]["coordinates"]) >= 3 for f in lines)
    assert sum(f["properties"]["stops"] for f in lines) == len(stops)


def test_csv_plan_has_a_row_for_every_stop(tmp_path: Path) -> None:
    result, out = plan(tmp_path, "csv")
    assert result.returncode == 0, result.stderr
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 59
    parcels = [p for row in rows for p in row["parcel_ids"].split()]
    assert sorted(parcels) == sorted(order_parcels())


def test_an_unknown_network_names_the_packaged_ones(tmp_path: Path) -> None:
    result, _ = plan(tmp_path, "json", network="atlantis")
    assert result.returncode == 1
    assert "atlantis" in result.stderr and "camden" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_fleet_without_vehicles_is_refused(tmp_path: Path) -> None:
    empty = tmp_path / "fleet.csv"
    empty.write_text(FLEET.read_text().splitlines()[0] + "\n")
    result, _ = plan(tmp_path, "json", fleet=empty)
    assert result.returncode == 1
    assert "no vehicles" in result.stderr and "Traceback" not in result.stderr


def moved(tmp: Path, points: dict[int, str]) -> Path:
    """The example orders with the given data lines (1 = first order) moved to LAT,LON."""
    lines = ORDERS.read_text().splitlines()
    header = lines[0].split(",")
    for line, point in points.items():
        cells = lines[line].split(",")
        cells[header.index("lat")], cells[header.index("lon")] = point.split(",")
        lines[line] = ",".join(cells)
    orders = tmp / "orders.csv"
    orders.write_text("\n".join(lines) + "\n")
    return orders


def test_a_point_in_the_sea_names_its_order_row(tmp_path: Path) -> None:
    sea = "50.5,-1.5"  # the English Channel, far outside the Camden network
    result, _ = plan(tmp_path, "json", orders=moved(tmp_path, {5: sea}))
    assert result.returncode == 1
    assert "orders row 6, column lat, lon" in result.stderr
    assert "Traceback" not in result.stderr


def test_every_point_off_the_network_is_named_in_one_run(tmp_path: Path) -> None:
    orders = moved(tmp_path, {3: "50.5,-1.5", 9: "51.9,-0.9", 20: "50.6,-1.4"})
    result, _ = plan(tmp_path, "json", orders=orders)
    assert result.returncode == 1
    for row in (4, 10, 21):
        assert f"orders row {row}, column lat, lon" in result.stderr
    assert "3 problem(s) in the input" in result.stderr


def test_swapped_coordinates_are_refused_even_on_straight_lines(tmp_path: Path) -> None:
    orders = moved(tmp_path, {2: "-0.1426,51.5353"})  # the Indian Ocean
    result, out = plan(tmp_path, "json", orders=orders, network="straight_line")
    assert result.returncode == 1
    assert "orders row 3, column lat, lon" in result.stderr
    assert "km from the nearest hub" in result.stderr and not out.exists()


def test_one_solve_writes_every_format_and_export_converts_the_saved_plan(
    tmp_path: Path,
) -> None:
    out, geo, table = tmp_path / "p.json", tmp_path / "p.geojson", tmp_path / "p.csv"
    result = run(
        tmp_path, str(ORDERS), "--fleet", str(FLEET), "--hub", HUB, "--date", "2026-11-26",
        "--budget", "1", "--workers", "1", "--network", "camden", "--out", str(out),
        "--geojson", str(geo), "--csv", str(table),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("wrote ") == 3
    for fmt, written in (("csv", table), ("geojson", geo), ("json", out)):
        again = tmp_path / f"again.{fmt}"
        converted = run(tmp_path, "export", str(out), "--format", fmt, "--out", str(again))
        assert converted.returncode == 0, converted.stderr
        assert again.read_text() == written.read_text()  # the same plan, not a new solve


def test_export_refuses_a_file_that_is_not_a_saved_plan(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"date": "2026-11-26", "routes": "many"}')
    out = tmp_path / "out.csv"
    for source in (broken, ORDERS, tmp_path / "missing.json"):
        result = run(tmp_path, "export", str(source), "--format", "csv", "--out", str(out))
        assert result.returncode == 1
        assert "error:" in result.stderr and "Traceback" not in result.stderr
        assert not out.exists()


def test_a_hub_off_the_globe_names_the_flag_without_a_traceback(tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    result = run(
        tmp_path, str(ORDERS), "--fleet", str(FLEET), "--hub", "91.5,-0.14",
        "--date", "2026-11-26", "--out", str(out),
    )  # fmt: skip
    assert result.returncode == 1
    assert "--hub" in result.stderr and "Traceback" not in result.stderr
    assert not out.exists()


def test_plans_without_any_doorstep_setting(tmp_path: Path) -> None:
    """As docs/planning.md runs it: no DOORSTEP_MODE and no secret key in the environment."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DOORSTEP_")}
    result = subprocess.run(
        [sys.executable, "-m", "doorstep", "plan", str(ORDERS), "--fleet", str(FLEET),
         "--hub", HUB, "--date", "2026-11-26", "--budget", "1", "--workers", "1",
         "--network", "straight_line", "--out", str(tmp_path / "plan.json")],
        capture_output=True, text=True, env=environment, timeout=120, cwd=tmp_path, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert json.loads((tmp_path / "plan.json").read_text())["routes"]
