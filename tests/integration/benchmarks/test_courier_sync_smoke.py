"""The courier sync benchmark runs end to end on a small day over a real server."""

import json
from pathlib import Path

from benchmarks.courier_sync import main


def test_benchmark_syncs_a_small_queue_in_batches_and_writes_its_row(tmp_path: Path) -> None:
    out = tmp_path / "rows.json"
    main(["--stops", "4", "--batch", "4", "--repeat", "1", "--json", str(out)])
    [row] = json.loads(out.read_text())
    assert (row["database"], row["stops"], row["actions"], row["requests"]) == ("sqlite", 4, 10, 3)
    assert 0 < row["median_s"] <= row["max_s"]
    assert row["per_action_ms"] > 0 and row["resend_s"] > 0
