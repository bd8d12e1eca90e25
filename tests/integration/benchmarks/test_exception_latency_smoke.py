"""The exception latency benchmark runs end to end for a moment: a served day with its job
queue, failed attempts sent by the courier's API, each exception seen through the API
and on the Exceptions page in Chromium, and a row with its timings."""

import json
from pathlib import Path

import pytest
from benchmarks.exception_latency import main

pytestmark = pytest.mark.e2e


def test_benchmark_sees_each_failed_attempt_in_the_queue_and_on_the_page(tmp_path: Path) -> None:
    out = tmp_path / "row.json"
    main(["--events", "2", "--json", str(out)])
    row = json.loads(out.read_text())
    assert (row["events"], row["poll_ms"]) == (2, 50)
    assert 0 < row["api_p50_ms"] <= row["api_p95_ms"] <= row["api_max_ms"]
    assert 0 <= row["page_p50_ms"] <= row["page_max_ms"]
