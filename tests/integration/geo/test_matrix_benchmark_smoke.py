"""A tiny run of ``benchmarks/matrix.py`` so the benchmark keeps working."""

import json
from pathlib import Path

from benchmarks.matrix import main

from tests.shared_data import requires_shared


def test_matrix_benchmark_runs_and_writes_rows(tmp_path: Path) -> None:
    requires_shared("data", "osm", "derived", "camden_addresses.csv")
    out = tmp_path / "matrix.json"
    rows = main(["--sizes", "30", "--repeat", "1", "--json", str(out)])
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["rows"] == rows
    assert report["machine"]["nproc"] >= 1
    modes = {(r["provider"], r["profile"], r["mode"]) for r in rows if r["points"] == 30}
    assert ("camden network", "van", "cached") in modes
    assert ("straight_line", "van", "cold") in modes
    assert all(r["seconds"] >= 0 for r in rows)
