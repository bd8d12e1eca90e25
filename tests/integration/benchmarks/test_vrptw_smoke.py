"""The VRPTW benchmark runs end to end on one Solomon instance in a fraction of a second."""

import json
from pathlib import Path

from benchmarks.vrptw import main

from tests.shared_data import requires_shared


def test_benchmark_solves_c101_feasibly_close_to_the_best_known(tmp_path: Path) -> None:
    requires_shared("benchmarks", "vrptw")
    out = tmp_path / "rows.json"
    main(["--set", "solomon", "--budget", "0.2", "--instances", "C101", "--workers", "1",
          "--json", str(out)])  # fmt: skip
    (row,) = json.loads(out.read_text())
    assert row["instance"] == "C101" and row["n"] == 100
    assert row["feasible"] is True
    assert 0 <= row["gap_pct"] < 15.0  # 0.2 s on a busy machine: a smoke test, not a score
    assert row["wall_s"] < 0.5
