"""CSV import over real HTTP on SQLite and PostgreSQL: bad files, mixed files, atomic mode.

Every malformed file gets a report (or, when it cannot be read at all, a 422 problem) that
names the row, the column and the reason.
"""

from __future__ import annotations

import codecs
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from doorstep.bootstrap import SystemClock
from doorstep.domain.access import Principal
from doorstep.services import accounts
from doorstep.services.ports import UnitOfWork
from tests.integration.conftest import TEST_SECRET
from tests.integration.live_server import HANG_GUARD_S, SYSTEM, LiveApi

ROOT = Path(__file__).parents[3]

HEADER = (
    "reference,recipient_name,address_line1,postcode,service_level,"
    "window_start,window_end,weight_kg\n"
)
GOOD = "{ref},Ada Lovelace,12 Gate Street,WC2A 3HP,next_day,,,1.2\n"
CSV = {"Content-Type": "text/csv"}


def send(http: httpx.Client, body: bytes, **params: Any) -> httpx.Response:
    return http.post("/v1/orders/import", content=body, headers=CSV, params=params)


def errors(answer: httpx.Response) -> set[tuple[int, str | None]]:
    return {(e["row"], e["column"]) for e in answer.json()["errors"]}


MIXED = (
    HEADER
    + GOOD.format(ref="OK-1")
    + "BAD-1,Ada,1 Road,NW1,next_day,,,1\n"  # postcode
    + "BAD-2,Ada,1 Road,NW1 9LL,next_day,2026-11-26 12:00,2026-11-26 10:00,1\n"  # window
    + "BAD-3,Ada,1 Road,NW1 9LL,next_day,,,-3\n"  # weight
    + GOOD.format(ref="OK-2")
).encode()


def test_a_mixed_file_creates_the_valid_rows_and_names_each_bad_one(live_api: LiveApi) -> None:
    _, key = live_api.create_brand()
    http = live_api.client(key)

    answer = send(http, MIXED + "Zoë,Zoë,1 Road,NW1 9LL,next_day,,,1\n".encode("latin-1"))

    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert (report["accepted"], report["rejected"], report["created"]) == (2, 4, 2)
    assert errors(answer) == {
        (3, "postcode"),
        (4, "window_end"),
        (5, "weight_kg"),
        (7, "reference"),
        (7, "recipient_name"),
    }
    assert all(e["reason"] for e in report["errors"])
    refs = {o["reference"] for o in http.get("/v1/orders").json()["items"]}
    assert refs == {"OK-1", "OK-2"}


def test_atomic_mode_creates_nothing_from_a_mixed_file(live_api: LiveApi) -> None:
    _, key = live_api.create_brand()
    http = live_api.client(key)

    answer = send(http, MIXED, atomic="true")

    assert answer.status_code == 200 and answer.json()["created"] == 0
    assert errors(answer) == {(3, "postcode"), (4, "window_end"), (5, "weight_kg")}
    assert http.get("/v1/orders").json()["items"] == []
    valid = send(http, (HEADER + GOOD.format(ref="A") + GOOD.format(ref="B")).encode(), atomic=1)
    assert valid.json()["created"] == 2 and len(http.get("/v1/orders").json()["items"]) == 2


def test_a_second_import_reports_references_already_stored(live_api: LiveApi) -> None:
    _, key = live_api.create_brand()
    http = live_api.client(key)
    body = (HEADER + GOOD.format(ref="SHOP-1")).encode()
    assert send(http, body).json()["created"] == 1

    again = send(http, body).json()

    assert (again["created"], again["rejected"]) == (0, 1)
    assert again["errors"][0]["column"] == "reference" and "SHOP-1" in again["errors"][0]["reason"]


def test_files_that_cannot_be_read_are_422_problems_naming_the_reason(
    live_api: LiveApi,
) -> None:
    _, key = live_api.create_brand()
    http = live_api.client(key)
    utf16 = codecs.BOM_UTF16_LE + (HEADER + GOOD.format(ref="A")).encode("utf-16-le")
    cases = {
        b"": "empty",
        utf16: "UTF-16",
        b"reference,postcode\nA,NW1 9LL\n": "recipient_name",
    }
    for body, words in cases.items():
        answer = send(http, body)
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        assert words in answer.json()["detail"], answer.json()
    assert http.get("/v1/orders").json()["items"] == []


def test_an_operator_imports_for_a_named_brand(live_api: LiveApi) -> None:
    brand_id, _ = live_api.create_brand()
    ops = live_api.client(live_api.create_operator())
    body = (HEADER + GOOD.format(ref="OPS-1")).encode()

    unnamed = send(ops, body)
    named = send(ops, body, brand_id=brand_id)

    assert unnamed.status_code == 422 and unnamed.json()["errors"][0]["field"] == "brand_id"
    assert named.status_code == 200 and named.json()["created"] == 1
    [order] = ops.get("/v1/orders", params={"brand_id": brand_id}).json()["items"]
    assert order["reference"] == "OPS-1"


ROWS = 100_000
VALID_EVERY = 333  # about 300 valid rows; the rest have a bad postcode and never reach the database


def big_file() -> Iterator[bytes]:
    """100,000 rows made on the fly, 1,000 to a chunk: the client never holds the file."""
    yield HEADER.encode()
    for start in range(0, ROWS, 1000):
        yield "".join(
            GOOD.format(ref=f"BIG-{i}")
            if i % VALID_EVERY == 0
            else f"BIG-{i},Ada,1 Road,NOT A POSTCODE,next_day,,,1\n"
            for i in range(start, start + 1000)
        ).encode()


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


@contextmanager
def server_process(database_url: str, log: Path) -> Iterator[tuple[int, str]]:
    """``uvicorn --factory`` in a subprocess on a loopback socket it inherits."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    env = os.environ | {
        "DOORSTEP_MODE": "test",
        "DOORSTEP_DATABASE_URL": database_url,
        "DOORSTEP_SECRET_KEY": TEST_SECRET,
        "PYTHONPATH": str(ROOT),
    }
    command = [sys.executable, "-m", "uvicorn", "--factory", f"{__package__}.import_server:app"]
    command += ["--fd", str(sock.fileno()), "--log-level", "warning"]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, pass_fds=[sock.fileno()], stdout=out, stderr=out
        )
    base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    try:
        deadline = time.monotonic() + HANG_GUARD_S
        while True:
            try:
                if httpx.get(f"{base_url}/v1/openapi.json").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        yield process.pid, base_url
    finally:
        process.terminate()
        process.wait(timeout=10)
        sock.close()


@pytest.mark.slow
def test_a_100000_row_file_streams_in_with_flat_memory_while_the_server_keeps_answering(
    database_url: str, uow_factory: Callable[[Principal], UnitOfWork], tmp_path: Path
) -> None:
    """The server runs in its own process; its RSS is sampled before and during the import.

    Runs on both databases: PostgreSQL takes about 1.5 times as long as SQLite, not twice.
    "Keeps answering" is counted, not timed: reads must come back while the import is still
    running (an import that held the server, or a lock, to the end would let none through).
    """
    brand = accounts.create_brand(uow_factory(SYSTEM), "Big Brand")
    key = accounts.issue_api_key(uow_factory(SYSTEM), brand.id, clock=SystemClock()).token
    auth = {"Authorization": f"Bearer {key}"}
    with (
        server_process(database_url, tmp_path / "server.log") as (pid, base_url),
        httpx.Client(base_url=base_url, headers=auth, timeout=120) as http,
    ):
        warm = http.post("/v1/orders/import", content=MIXED, headers=CSV)
        assert warm.status_code == 200  # every module loaded before the baseline
        baseline = rss_bytes(pid)
        peak, answers, done = [baseline], [], threading.Event()

        def watch() -> None:
            with httpx.Client(base_url=base_url, headers=auth, timeout=120) as other:
                while not done.wait(0.25):
                    peak.append(rss_bytes(pid))
                    status = other.get("/v1/orders", params={"limit": 1}).status_code
                    answers.append((status, done.is_set()))

        watcher = threading.Thread(target=watch)
        watcher.start()
        started = time.monotonic()
        try:
            answer = http.post("/v1/orders/import", content=big_file(), headers=CSV)
        finally:
            done.set()
            watcher.join()
        elapsed = time.monotonic() - started

    assert answer.status_code == 200, answer.text[:500]
    report = answer.json()
    valid = len(range(0, ROWS, VALID_EVERY))
    assert (report["created"], report["rejected"]) == (valid, ROWS - valid)
    assert len(report["errors"]) == 1000 and len(answer.content) < 300_000
    assert all(status == 200 for status, _ in answers), answers
    assert sum(not after for _, after in answers) >= 3, answers  # answered mid-import
    growth = max(peak) - baseline
    assert growth < 150 * 1024 * 1024, f"RSS grew by {growth / 2**20:.0f} MB"
    mib = 2**20
    print(f"\n{ROWS} rows in {elapsed:.1f} s; RSS {baseline / mib:.0f} MB +{growth / mib:.0f} MB")
