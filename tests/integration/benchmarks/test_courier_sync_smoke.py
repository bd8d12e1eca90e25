"""The courier sync benchmark runs end to end on a small day over a real server, uploading
the files its deliveries name."""

import json
from pathlib import Path

from benchmarks.courier_sync import main


def test_benchmark_syncs_a_small_queue_in_batches_and_writes_its_row(tmp_path: Path) -> None:
    out = tmp_path / "rows.json"
    main(["--stops", "4", "--batch", "4", "--repeat", "1", "--json", str(out)])
    [row] = json.loads(out.read_text())
    assert (row["database"], row["stops"], row["actions"], row["requests"]) == ("sqlite", 4, 10, 3)
    assert row["files"] == 3  # stops 0 and 2 signed, 1 photographed, 3 failed
    assert 0 < row["upload_s"] < row["median_s"] <= row["max_s"]
    assert row["per_action_ms"] > 0 and row["resend_s"] > 0
