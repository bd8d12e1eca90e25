"""Plans as JSON, GeoJSON and CSV: what maps, APIs and spreadsheets receive."""

import json

from doorstep.planning.export import CSV_COLUMNS, csv_rows, geojson, plan_document
from doorstep.planning.model import Plan, PlanningProblem
from doorstep.planning.params import PlannerParams
from doorstep.planning.solve import solve
from tests.unit.planning.helpers import grid_stops, matrices_for, problem, stop, vehicle

FAST = PlannerParams(max_iterations=200, workers=1, seed=5)


def _solved() -> tuple[PlanningProblem, Plan]:
    far = stop("far", 51.9, -0.9, window=(0.0, 0.25))
    p = problem([*grid_stops(12), far], [vehicle("veh_1"), vehicle("veh_2")])
    return p, solve(p, matrices_for(p), FAST)


def test_document_is_json_and_accounts_for_every_stop_once() -> None:
    p, plan = _solved()
    document = json.loads(json.dumps(plan_document(plan, p).to_json()))
    routed = [s["stop_id"] for r in document["routes"] for s in r["stops"]]
    unassigned = [u["stop_id"] for u in document["unassigned"]]
    assert sorted(routed + unassigned) == sorted(s.id for s in p.stops)
    assert document["unassigned"][0]["reason"] == "window_unreachable"
    assert document["totals"]["distance_m"] == sum(r["distance_m"] for r in document["routes"])
    first = document["routes"][0]["stops"][0]
    assert first["arrival"] <= first["service_start"] <= first["departure"]


def test_geojson_has_a_line_per_route_through_its_stops_in_order() -> None:
    p, plan = _solved()
    typed = plan_document(plan, p)
    features = geojson(typed)["features"]
    document = typed.to_json()
    lines = [f for f in features if f["properties"]["kind"] == "route"]
    assert len(lines) == document["totals"]["routes"]
    route = document["routes"][0]
    expected = [[s["lon"], s["lat"]] for s in route["stops"]]
    assert lines[0]["geometry"]["coordinates"][1:-1] == expected
    kinds = {f["properties"]["kind"] for f in features}
    assert kinds == {"hub", "route", "stop", "unassigned"}


def test_csv_rows_list_planned_stops_then_unassigned_with_reason() -> None:
    p, plan = _solved()
    rows = list(csv_rows(plan_document(plan, p)))
    assert all(set(row) == set(CSV_COLUMNS) for row in rows)
    assert rows[-1]["status"] == "unassigned: window_unreachable"
    assert [r["status"] for r in rows[:-1]] == ["planned"] * (len(rows) - 1)


def test_csv_rows_defuse_cells_a_spreadsheet_would_run_as_formulas() -> None:
    p, plan = _solved()
    document = plan_document(plan, p)
    route = document.routes[0]
    stop = route.stops[0].model_copy(
        update={"stop_id": '=HYPERLINK("http://x")', "parcel_ids": ["@SUM(1)"]}
    )
    route = route.model_copy(update={"vehicle_id": "+veh", "stops": [stop]})
    document = document.model_copy(update={"routes": [route], "unassigned": []})
    (row,) = csv_rows(document)
    assert row["stop_id"] == '\'=HYPERLINK("http://x")'
    assert (row["parcel_ids"], row["vehicle_id"]) == ("'@SUM(1)", "'+veh")
    assert row["lon"] == stop.lon  # numbers stay numbers
