"""The position-ingest benchmark runs end to end on a few batches: through the use case
and through a real server over HTTP, storing every position it reports."""

import json
from pathlib import Path

from benchmarks.pings import main


def test_benchmark_stores_every_position_on_both_paths_and_writes_its_rows(
    tmp_path: Path,
) -> None:
    out = tmp_path / "rows.json"
    main(["--positions", "200", "--batch", "20", "--couriers", "3", "--http-clients", "2",
          "--postgres-url", "", "--json", str(out)])  # fmt: skip
    rows = json.loads(out.read_text())
    assert [(r["database"], r["path"], r["clients"]) for r in rows] == [
        ("sqlite", "use case", 1),
        ("sqlite", "http", 2),
    ]
    for row in rows:
        assert (row["positions"], row["stored"], row["batch"]) == (200, 200, 20)
        assert row["seconds"] > 0 and row["positions_per_s"] > 0
