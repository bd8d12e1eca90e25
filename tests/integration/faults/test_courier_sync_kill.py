"""SIGKILL the API server while twenty couriers sync their days, and apply nothing twice.

Twenty couriers each worked a dispatched route of 30 stops offline and queued 62 actions
(start; arrive, then deliver, fail or skip at every stop; finish: ``offline_queue``). A
delivery names a file taken at the door: the recipient's signature, or a photo of the
parcel in a safe place or through the letterbox. They all sync at once, as the app does
(``tests.courier_phone``): each file uploaded with ``PUT /v1/blobs/{sha256}`` before the
batch of actions that names it, then the actions in order, up to 50 per request, the next
request after the answer. After any failure (connection cut, 5xx, 503 with Retry-After)
a courier tries again with everything unanswered still queued: an upload cut off is
uploaded again, a batch whose answer was lost is sent again, and an action answered
``retry`` stays queued and is sent again. Meanwhile the server process is killed with
SIGKILL twice, at random moments, and started again on the same port, database and blob
folder.

At the end, on the database: every action the server acknowledged (``applied`` or
``duplicate``) is stored once, and nothing else is; each parcel has exactly the history
its stop's fate gives it (no event doubled or lost), each route is finished with its stops
in the expected states, its route events each emitted once, and one proof per attempt,
naming the file taken at that door. In the blob store: every uploaded file, byte for byte
as uploaded, and one blob record for each, nothing else.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, func, select

from doorstep.domain.access import Principal
from doorstep.domain.parcel import ParcelAction
from doorstep.domain.route import RouteState, StopState
from doorstep.security import Argon2PasswordHasher
from doorstep.services.ports import BlobVariant, ProofRecord
from doorstep.store.blob_files import LocalBlobStore
from doorstep.store.tables import BlobRow, CourierActionRow, CourierRow, OutboxRow
from doorstep.store.uow import SqlUnitOfWork
from tests.courier_day import (
    SYSTEM,
    CourierDay,
    ProofFile,
    StopFate,
    dispatched_day,
    door_files,
    offline_queue,
)
from tests.courier_phone import Interrupted, Phone, Rejected
from tests.images import sha256
from tests.integration.conftest import TEST_SECRET
from tests.integration.faults.server_process import ServerProcess
from tests.integration.live_server import PASSWORD

pytestmark = pytest.mark.slow

COURIERS = 20
STOPS = 30
ACTIONS = 2 * STOPS + 2
SEED = 20261202
GIVE_UP_AFTER_S = 600  # a courier stuck this long means the server never came back
UowFactory = Callable[[Principal], SqlUnitOfWork]

# What each stop's fate leaves in its parcels' history, after received, sorted, loaded.
LOADED = [ParcelAction.RECEIVE, ParcelAction.SORT, ParcelAction.LOAD]
HISTORY = {
    StopFate.COMPLETED: [*LOADED, ParcelAction.DEPART, ParcelAction.DELIVER],
    # Failed at the door, or never reached (skipped): back to the hub at the finish.
    StopFate.FAILED: [
        *LOADED, ParcelAction.DEPART, ParcelAction.FAIL_ATTEMPT, ParcelAction.RECEIVE,
    ],
    StopFate.SKIPPED: [
        *LOADED, ParcelAction.DEPART, ParcelAction.FAIL_ATTEMPT, ParcelAction.RECEIVE,
    ],
}  # fmt: skip
FAILURE_REASON = {StopFate.FAILED: "recipient_not_home", StopFate.SKIPPED: "out_of_time"}
STOP_STATE = {
    StopFate.COMPLETED: StopState.COMPLETED,
    StopFate.FAILED: StopState.FAILED,
    StopFate.SKIPPED: StopState.SKIPPED,
}


@dataclass
class Courier:
    day: CourierDay
    token: str
    queue: list[dict[str, Any]]
    files: dict[int, ProofFile]  # by stop
    phone: Phone | None = None


@dataclass
class Tally:
    """What the couriers saw, shared between their threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    tries: int = 0  # syncs started again after a failure
    cut_mid_request: int = 0  # sent, then the connection died: the kill hit a live request
    cut_uploads: int = 0  # of which uploads, to be uploaded again
    busy: int = 0  # 503 with Retry-After
    server_errors: list[str] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)
    deadline: float = field(default_factory=lambda: time.monotonic() + GIVE_UP_AFTER_S)
    phones: list[Phone] = field(default_factory=list)

    def count(self) -> int:
        """Actions answered so far, over all phones (read while they sync)."""
        with self.lock:
            phones = list(self.phones)
        return sum(len(phone.answers) for phone in phones)


@pytest.fixture
def blob_dir(tmp_path: Path) -> Path:
    return tmp_path / "blobs"


@pytest.fixture
def server(database_url: str, blob_dir: Path) -> Iterator[ServerProcess]:
    process = ServerProcess(database_url, TEST_SECRET, env={"DOORSTEP_BLOB_DIR": str(blob_dir)})
    process.start()
    yield process
    process.stop()


def _couriers(server: ServerProcess, uow_factory: UowFactory) -> list[Courier]:
    """Twenty dispatched days, loaded vans, each courier logged in with a queue of 62 and
    the files its deliveries name."""
    password_hash = Argon2PasswordHasher(time_cost=1, memory_cost=1024).hash(PASSWORD)
    worked = datetime.now(UTC).replace(hour=7, minute=0, second=0, microsecond=0)
    couriers = []
    with httpx.Client(base_url=server.base_url, timeout=60.0) as http:
        for n in range(COURIERS):
            day = dispatched_day(uow_factory, stops=STOPS, password_hash=password_hash)
            login = {"email": day.email, "password": PASSWORD}
            token = http.post("/v1/auth/token", json=login).json()["access_token"]
            files = door_files(STOPS, seed=SEED + n)
            queue = offline_queue(
                day, files=files, first=worked - timedelta(days=1), prefix=f"c{n}"
            )
            couriers.append(Courier(day, token, queue, files))
    return couriers


def _courier(server: ServerProcess, courier: Courier, tally: Tally) -> None:
    """Sync until the queue is empty, trying again after every failure, as the app does."""
    headers = {"Authorization": f"Bearer {courier.token}"}
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=120.0) as http:
        files = {f.sha256: f for f in courier.files.values()}
        phone = Phone(http, courier.queue, files)
        courier.phone = phone
        with tally.lock:
            tally.phones.append(phone)
        while True:
            try:
                phone.sync()
            except Interrupted as failure:
                with tally.lock:
                    tally.cut_mid_request += failure.cause == "cut"
                    tally.cut_uploads += failure.cause == "cut" and failure.detail.startswith("PUT")
                    tally.busy += failure.cause == "busy"
                    if failure.cause == "server_error":
                        tally.server_errors.append(failure.detail)
            except Rejected as refusal:
                with tally.lock:
                    tally.refusals.append(f"{courier.day.courier_id}: {refusal}")
                return
            if not phone.pending:
                return
            if time.monotonic() > tally.deadline:
                with tally.lock:
                    tally.refusals.append(f"{courier.day.courier_id}: gave up, server gone")
                return
            with tally.lock:
                tally.tries += 1
            time.sleep(0.1)  # down, restarting, busy or a file to wait for: do not starve it


@dataclass
class Killer:
    """SIGKILLs the server twice, each after a random share of the actions, and restarts it."""

    server: ServerProcess
    tally: Tally
    total: int
    done: threading.Event = field(default_factory=threading.Event)
    killed_at: list[int] = field(default_factory=list)  # answered actions at each kill
    error: BaseException | None = None

    def run(self) -> None:
        rng = random.Random(SEED)
        try:
            for low, high in ((0.1, 0.4), (0.5, 0.8)):
                threshold = int(self.total * rng.uniform(low, high))
                while self.tally.count() < threshold and not self.done.is_set():
                    time.sleep(0.005)
                if self.done.is_set():
                    return
                time.sleep(rng.uniform(0.0, 0.1))  # land at a random point inside a request
                self.killed_at.append(self.tally.count())
                self.server.kill()
                self.server.start()
        except BaseException as error:  # reported by the test, not lost in the thread
            self.error = error
            raise


def _run_couriers(server: ServerProcess, couriers: list[Courier], tally: Tally) -> Killer:
    threads = [
        threading.Thread(target=_courier, args=(server, courier, tally)) for courier in couriers
    ]
    killer = Killer(server, tally, total=COURIERS * ACTIONS)
    killing = threading.Thread(target=killer.run)
    killing.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    killer.done.set()
    killing.join()
    return killer


def _acked(couriers: list[Courier]) -> dict[tuple[str, str], str]:
    """(courier, client_event_id) -> the status the server answered, over all phones."""
    return {
        (c.day.courier_id, event): answer["status"]
        for c in couriers
        if c.phone is not None
        for event, answer in c.phone.answers.items()
    }


def _assert_actions_stored_once(engine: Engine, couriers: list[Courier]) -> None:
    acked = _acked(couriers)
    assert {key: s for key, s in acked.items() if s not in ("applied", "duplicate")} == {}
    with engine.connect() as db:
        rows = db.execute(
            select(
                CourierRow.public_id, CourierActionRow.client_event_id, CourierActionRow.status
            ).join(CourierRow, CourierActionRow.courier_pk == CourierRow.pk)
        ).all()
    per_action = Counter((row.public_id, row.client_event_id) for row in rows)
    assert [key for key, n in per_action.items() if n > 1] == []
    queued = {(c.day.courier_id, a["client_event_id"]) for c in couriers for a in c.queue}
    assert set(acked) == queued, "an action was never acknowledged"
    assert set(per_action) == queued, "acknowledged actions lost, or others stored"
    assert {row.status for row in rows} == {"applied"}


def _assert_days_done_once(
    uow_factory: UowFactory, engine: Engine, couriers: list[Courier]
) -> None:
    with uow_factory(SYSTEM) as uow:
        for courier in couriers:
            day = courier.day
            route = uow.routes.get(day.route_id)
            assert route is not None and route.state is RouteState.FINISHED
            assert [s.state for s in route.stops] == [
                STOP_STATE[StopFate.of(n)] for n in range(STOPS)
            ]
            for n, order_id in enumerate(day.order_ids):
                fate = StopFate.of(n)
                order = uow.orders.get(order_id)
                assert order is not None
                for parcel in order.parcels:
                    actions = [e.action for e in parcel.events]
                    assert actions == HISTORY[fate], f"{parcel.barcode} ({fate}): {actions}"
                    assert [e.sequence for e in parcel.events] == list(
                        range(1, len(HISTORY[fate]) + 1)
                    )
                    failures = [e.reason_code for e in parcel.events if e.reason_code]
                    assert failures == ([FAILURE_REASON[fate]] if fate in FAILURE_REASON else [])
                proofs = uow.proofs.list_for_order(order_id)
                expected = {StopFate.COMPLETED: ["delivered"], StopFate.FAILED: ["failed"]}
                assert [p.outcome for p in proofs] == expected.get(fate, [])
                if fate == StopFate.COMPLETED:
                    _assert_names_its_file(proofs[0], n, courier.files[n])
    with engine.connect() as db:
        names = Counter(
            db.execute(
                select(OutboxRow.aggregate_id, OutboxRow.name, func.count())
                .where(OutboxRow.name.like("route.%") | OutboxRow.name.like("stop.%"))
                .group_by(OutboxRow.aggregate_id, OutboxRow.name)
            ).all()
        )
    fates = Counter(StopFate.of(n) for n in range(STOPS))
    for courier in couriers:
        route_id = courier.day.route_id
        emitted = {name: n for (aggregate, name, n) in names if aggregate == route_id}
        assert emitted == {
            "route.dispatched": 1,
            "route.started": 1,
            "stop.arrived": STOPS,
            "stop.completed": fates[StopFate.COMPLETED],
            "stop.failed": fates[StopFate.FAILED],
            "stop.skipped": fates[StopFate.SKIPPED],
            "route.finished": 1,
        }, route_id


def _assert_names_its_file(proof: ProofRecord, n: int, taken: ProofFile) -> None:
    """The delivery's proof names the file taken at that door, and only that one."""
    method = StopFate.method(n)
    assert proof.method == method
    if method == "recipient":
        assert (proof.signature, proof.photos) == (taken.sha256, ())
    else:
        assert (proof.signature, proof.photos) == (None, (taken.sha256,))


def _assert_files_stored_as_uploaded(
    engine: Engine, blob_dir: Path, couriers: list[Courier]
) -> None:
    """Every file byte for byte in the blob store, one record each, and nothing else."""
    taken = {f.sha256: f for c in couriers for f in c.files.values()}
    store = LocalBlobStore(blob_dir)
    for name, kept in taken.items():
        stored = store.get(name, BlobVariant.ORIGINAL)
        assert stored is not None, f"{name} lost"
        assert sha256(stored) == name and stored == kept.data
    with engine.connect() as db:
        records = db.execute(select(BlobRow.sha256, BlobRow.size, BlobRow.content_type)).all()
    assert sorted(r.sha256 for r in records) == sorted(taken)  # once each, nothing else
    assert {r.sha256: (r.size, r.content_type) for r in records} == {
        name: (len(kept.data), kept.content_type) for name, kept in taken.items()
    }


def test_couriers_syncing_through_sigkill_apply_each_action_once(
    server: ServerProcess, engine: Engine, uow_factory: UowFactory, blob_dir: Path
) -> None:
    began = time.monotonic()
    couriers = _couriers(server, uow_factory)
    set_up_s = time.monotonic() - began
    tally = Tally()

    killer = _run_couriers(server, couriers, tally)
    synced_s = time.monotonic() - began - set_up_s
    server.stop()

    assert killer.error is None
    assert len(killer.killed_at) == 2 and server.starts == 3
    assert tally.cut_mid_request >= 1, "no kill landed inside a request"
    assert tally.refusals == []
    assert tally.server_errors == []
    _assert_actions_stored_once(engine, couriers)
    _assert_days_done_once(uow_factory, engine, couriers)
    _assert_files_stored_as_uploaded(engine, blob_dir, couriers)
    phones = [c.phone for c in couriers if c.phone is not None]
    files = sum(len(c.files) for c in couriers)
    print(  # shown with -s: the figures for the report
        f"\nset-up {set_up_s:.1f} s, {COURIERS} couriers x {ACTIONS} actions and {files} "
        f"files synced in {synced_s:.1f} s, killed after {killer.killed_at} answers, "
        f"{tally.tries} tries again, {tally.cut_mid_request} requests cut mid-way "
        f"({tally.cut_uploads} uploads), "
        f"{tally.busy} busy answers, {sum(p.uploads for p in phones)} uploads, "
        f"{sum(p.requests for p in phones)} action batches, "
        f"{sum(s == 'duplicate' for s in _acked(couriers).values())} duplicates, "
        f"{sum(p.retries for p in phones)} retry answers"
    )
