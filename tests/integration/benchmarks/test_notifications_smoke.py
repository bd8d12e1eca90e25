"""The notifications benchmark runs end to end on a few orders and writes its JSON."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.notifications import main


def test_the_notifications_benchmark_relays_and_sends_every_order(tmp_path: Path) -> None:
    out = tmp_path / "notifications.json"
    [row] = main(["--orders", "20", "--postgres-url", "", "--json", str(out)])
    assert row.database == "sqlite" and row.relay_per_s > 0 and row.sent_per_s > 0
    assert json.loads(out.read_text())["runs"][0]["orders"] == 20
