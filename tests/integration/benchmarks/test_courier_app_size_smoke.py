"""``python -m benchmarks.courier_app_size`` runs, counts every shell file, and stays in bound."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks import courier_app_size

from doorstep.web import courier


def test_courier_app_size_reports_the_shell_within_its_bound(tmp_path: Path) -> None:
    out = tmp_path / "size.json"
    courier_app_size.main(["--json", str(out)])
    report = json.loads(out.read_text(encoding="utf-8"))
    names = {row["name"] for row in report["rows"]}
    assert {f"{courier.STATIC}/{name}" for name in courier.SHELL_FILES} <= names
    assert set(courier.VENDOR_FILES) <= names
    assert report["totals_gzip_bytes"]["map library"] > 0  # counted, but apart
    assert 0 < report["shell_gzip_bytes"] <= report["limit_bytes"] == 150 * 1024
    assert report["within_limit"] is True
