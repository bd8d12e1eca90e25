"""The re-planning benchmark runs end to end, bounded by iterations rather than time."""

import json
from pathlib import Path

from benchmarks.reoptimise import main


def test_benchmark_replans_a_small_day_feasibly_and_writes_its_row(tmp_path: Path) -> None:
    out = tmp_path / "row.json"
    main(["--stops", "30", "--vehicles", "2", "--repeat", "1", "--iterations", "100",
          "--json", str(out)])  # fmt: skip
    row = json.loads(out.read_text())
    assert (row["stops"], row["vehicles"], row["iterations"]) == (30, 2, 100)
    assert row["routed"] == 30 and row["feasible"] is True
    assert 0 < row["median_s"] <= row["max_s"]
