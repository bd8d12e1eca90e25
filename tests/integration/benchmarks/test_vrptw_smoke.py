"""The VRPTW benchmark runs end to end on one Solomon instance.

The search is bounded by iterations, so the result is the same on an idle laptop and a
loaded CI machine; how fast it runs is what the benchmark itself reports.
"""

import json
from pathlib import Path

from benchmarks.vrptw import main

from tests.shared_data import requires_shared


def test_benchmark_solves_c101_feasibly_close_to_the_best_known(tmp_path: Path) -> None:
    requires_shared("benchmarks", "vrptw")
    out = tmp_path / "rows.json"
    main(["--set", "solomon", "--iterations", "100", "--instances", "C101", "--workers", "1",
          "--json", str(out)])  # fmt: skip
    (row,) = json.loads(out.read_text())
    assert row["instance"] == "C101" and row["n"] == 100
    assert row["feasible"] is True
    assert 0 <= row["gap_pct"] < 1.0  # C101 is easy: 100 iterations find the best known
