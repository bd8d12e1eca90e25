"""``python -m benchmarks.courier_app_open`` runs end to end on a short route."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from benchmarks import courier_app_open

pytestmark = pytest.mark.e2e


def test_courier_app_open_reports_each_opening(tmp_path: Path) -> None:
    if not Path(courier_app_open.CHROMIUM).is_file():
        pytest.skip(f"needs Chromium at {courier_app_open.CHROMIUM}")
    out = tmp_path / "open.json"
    courier_app_open.main(["--stops", "6", "--repeat", "1", "--json", str(out)])
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["stops"] == 6 and report["cpu_slowdown"] == 4.0
    for name in ("online", "offline", "map"):
        assert report["median_ms"][name] > 0, name
        assert len(report["runs_ms"][name]) == 1
    assert report["limit_ms"] == 1000.0
