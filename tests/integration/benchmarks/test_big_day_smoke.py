"""The big_day benchmark plans a small day in parts end to end and checks it route by route."""

import json
from pathlib import Path

from benchmarks.big_day import main

from tests.shared_data import requires_shared


def test_a_day_in_parts_is_timed_weighed_and_checked(tmp_path: Path) -> None:
    requires_shared("data", "osm", "derived", "camden_addresses.csv")
    out = tmp_path / "row.json"
    args = ["--stops", "300", "--part-stops", "100", "--budget", "5", "--json", str(out)]
    assert main(args) == 0
    row = json.loads(out.read_text())
    assert row["parts"] == 3 and row["largest_part"] <= 100
    assert row["feasible"] is True and row["violations"] == []
    assert row["street_points"] == 0  # Camden has enough entrances for 300 stops
    assert row["peak_mib"] > 0 and row["vehicles_used"] >= 1
