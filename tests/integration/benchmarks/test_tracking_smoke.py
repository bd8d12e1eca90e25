"""The tracking page benchmark runs end to end for a moment: a real server, pages asked at
a rate, live pages held open, and a row per run with its latencies."""

import json
from pathlib import Path

from benchmarks.tracking import main


def test_benchmark_asks_for_pages_with_live_pages_open_and_writes_its_rows(
    tmp_path: Path,
) -> None:
    out = tmp_path / "rows.json"
    main(["--seconds", "1", "--rate", "20", "--sse-clients", "5", "--routes", "1",
          "--json", str(out)])  # fmt: skip
    rows = json.loads(out.read_text())
    assert [(r["database"], r["sse_clients"]) for r in rows] == [("sqlite", 0), ("sqlite", 5)]
    for row in rows:
        assert row["requests"] == 20 and row["errors"] == 0
        assert 0 < row["p50_ms"] <= row["p99_ms"] <= row["max_ms"]
        assert 0 <= row["steal_pct"] <= 100
    assert rows[1]["sse_open"] == 5
