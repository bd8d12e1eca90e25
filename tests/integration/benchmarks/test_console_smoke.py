"""The console benchmark runs end to end for a moment: a tiny day served, the Today page
opened in Chromium, positions sent live, and a row with its timings."""

import json
from pathlib import Path

import pytest
from benchmarks.console import main

pytestmark = pytest.mark.e2e


def test_benchmark_renders_today_and_measures_live_updates(tmp_path: Path) -> None:
    out = tmp_path / "row.json"
    main(["--routes", "2", "--stops", "20", "--loads", "1", "--updates", "2",
          "--json", str(out)])  # fmt: skip
    row = json.loads(out.read_text())
    assert (row["routes"], row["stops"], row["loads"], row["updates"]) == (2, 20, 1, 2)
    assert 0 < row["render_p50_ms"] <= row["render_max_ms"]
    assert 0 <= row["update_p50_ms"] <= row["update_max_ms"]
