"""The ETA benchmark replays a few small days end to end and writes its row."""

import json
import math
from pathlib import Path

from benchmarks.eta import main

from tests.shared_data import requires_shared


def test_benchmark_replays_small_days_and_writes_shares_and_errors(tmp_path: Path) -> None:
    requires_shared("data", "osm", "derived", "camden_addresses.csv")
    out = tmp_path / "row.json"
    main(["--routes", "2", "--stops", "12", "--network", "straight_line", "--json", str(out)])
    [row] = json.loads(out.read_text())
    assert (row["routes"], row["stops_per_route"], row["arrivals"]) == (2, 12, 24)
    for share in ("inside_day_window", "inside_next_window", "inside_last_window"):
        assert 0.0 <= row[share] <= 1.0
    assert row["mae_10_min"] >= 0 and not math.isnan(row["mae_10_min"])
    assert row["recomputes"] > row["arrivals"]  # every action, and pings
