"""SIGKILL the API server while twenty couriers sync their days, and apply nothing twice.

Twenty couriers each worked a dispatched route of 30 stops offline and queued 62 actions
(start; arrive, then deliver, fail or skip at every stop; finish: ``offline_queue``). They
all sync at once, as the app does: in order, up to 50 actions per request, the next
request after the answer. After any failure (connection cut, 5xx, 503 with Retry-After)
a courier sends its whole queue again from the first action, as a phone that never got
the answer must. Meanwhile the server process is killed with SIGKILL twice, at random
moments, and started again on the same port and database.

At the end, on the database: every action the server acknowledged (``applied`` or
``duplicate``) is stored once, and nothing else is; each parcel has exactly the history
its stop's fate gives it (no event doubled or lost), each route is finished with its stops
in the expected states, its route events each emitted once, and one proof per attempt.
"""

from __future__ import annotations

import hashlib
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, func, select

from doorstep.domain.access import Principal
from doorstep.domain.parcel import ParcelAction
from doorstep.domain.route import RouteState, StopState
from doorstep.security import Argon2PasswordHasher
from doorstep.store.tables import CourierActionRow, CourierRow, OutboxRow
from doorstep.store.uow import SqlUnitOfWork
from tests.courier_day import SYSTEM, CourierDay, StopFate, dispatched_day, offline_queue
from tests.integration.conftest import TEST_SECRET
from tests.integration.faults.app_factory import UPLOADED_BLOBS_ENV
from tests.integration.faults.server_process import ServerProcess
from tests.integration.live_server import PASSWORD

pytestmark = pytest.mark.slow

COURIERS = 20
STOPS = 30
ACTIONS = 2 * STOPS + 2
BATCH = 50  # what the app sends per request
SEED = 20261202
GIVE_UP_AFTER_S = 600  # a courier stuck this long means the server never came back
SIGNATURE = hashlib.sha256(b"a signature uploaded before the sync").hexdigest()
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


@dataclass
class Tally:
    """What the couriers saw, shared between their threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    acked: dict[tuple[str, str], str] = field(default_factory=dict)  # (courier, event) -> status
    resends: int = 0  # whole queues sent again after a failure
    cut_mid_request: int = 0  # sent, then the connection died: the kill hit a live request
    busy: int = 0  # 503 with Retry-After
    server_errors: list[str] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)
    deadline: float = field(default_factory=lambda: time.monotonic() + GIVE_UP_AFTER_S)

    def count(self) -> int:
        with self.lock:
            return len(self.acked)


@pytest.fixture
def server(database_url: str) -> Iterator[ServerProcess]:
    process = ServerProcess(
        database_url,
        TEST_SECRET,
        factory="tests.integration.faults.app_factory:create_with_uploaded_blobs",
        env={UPLOADED_BLOBS_ENV: SIGNATURE},
    )
    process.start()
    yield process
    process.stop()


def _couriers(server: ServerProcess, uow_factory: UowFactory) -> list[Courier]:
    """Twenty dispatched days, loaded vans, each courier logged in with a queue of 62."""
    password_hash = Argon2PasswordHasher(time_cost=1, memory_cost=1024).hash(PASSWORD)
    worked = datetime.now(UTC).replace(hour=7, minute=0, second=0, microsecond=0)
    couriers = []
    with httpx.Client(base_url=server.base_url, timeout=60.0) as http:
        for n in range(COURIERS):
            day = dispatched_day(uow_factory, stops=STOPS, password_hash=password_hash)
            login = {"email": day.email, "password": PASSWORD}
            token = http.post("/v1/auth/token", json=login).json()["access_token"]
            queue = offline_queue(
                day, signature=SIGNATURE, first=worked - timedelta(days=1), prefix=f"c{n}"
            )
            couriers.append(Courier(day, token, queue))
    return couriers


def _sync_once(http: httpx.Client, courier: Courier, tally: Tally) -> bool:
    """Send the whole queue in order, batch by batch; False at the first failure."""
    for first in range(0, len(courier.queue), BATCH):
        body = {"actions": courier.queue[first : first + BATCH]}
        try:
            answer = http.post("/v1/courier/actions", json=body)
        except httpx.TransportError as error:
            with tally.lock:
                tally.cut_mid_request += not isinstance(error, httpx.ConnectError)
            return False
        if answer.status_code == 503 and "retry-after" in answer.headers:
            with tally.lock:
                tally.busy += 1
            return False
        if answer.status_code >= 500:
            with tally.lock:
                tally.server_errors.append(f"{answer.status_code} {answer.text[:200]}")
            return False
        if answer.status_code != 200:
            with tally.lock:
                tally.refusals.append(f"{courier.day.courier_id}: {answer.text[:300]}")
            return True  # not a failure to retry: the test fails on it
        with tally.lock:
            for result in answer.json()["results"]:
                key = (courier.day.courier_id, result["client_event_id"])
                if result["status"] in ("applied", "duplicate"):
                    tally.acked[key] = result["status"]
                else:
                    tally.refusals.append(f"{key}: {result['status']} {result['message']}")
    return True


def _courier(server: ServerProcess, courier: Courier, tally: Tally) -> None:
    headers = {"Authorization": f"Bearer {courier.token}"}
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=120.0) as http:
        while not _sync_once(http, courier, tally):
            if time.monotonic() > tally.deadline:
                with tally.lock:
                    tally.refusals.append(f"{courier.day.courier_id}: gave up, server gone")
                return
            with tally.lock:
                tally.resends += 1
            time.sleep(0.1)  # down, restarting or busy: do not starve it of CPU


@dataclass
class Killer:
    """SIGKILLs the server twice, each after a random share of the actions, and restarts it."""

    server: ServerProcess
    tally: Tally
    total: int
    done: threading.Event = field(default_factory=threading.Event)
    killed_at: list[int] = field(default_factory=list)  # acknowledged actions at each kill
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


def _assert_actions_stored_once(engine: Engine, couriers: list[Courier], tally: Tally) -> None:
    with engine.connect() as db:
        rows = db.execute(
            select(
                CourierRow.public_id, CourierActionRow.client_event_id, CourierActionRow.status
            ).join(CourierRow, CourierActionRow.courier_pk == CourierRow.pk)
        ).all()
    per_action = Counter((row.public_id, row.client_event_id) for row in rows)
    assert [key for key, n in per_action.items() if n > 1] == []
    queued = {(c.day.courier_id, a["client_event_id"]) for c in couriers for a in c.queue}
    assert set(tally.acked) == queued, "an action was never acknowledged"
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


def test_couriers_syncing_through_sigkill_apply_each_action_once(
    server: ServerProcess, engine: Engine, uow_factory: UowFactory
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
    _assert_actions_stored_once(engine, couriers, tally)
    _assert_days_done_once(uow_factory, engine, couriers)
    print(  # shown with -s: the figures for the report
        f"\nset-up {set_up_s:.1f} s, {COURIERS} couriers x {ACTIONS} actions synced in "
        f"{synced_s:.1f} s, killed after {killer.killed_at} acks, "
        f"{tally.resends} whole-queue resends, {tally.cut_mid_request} requests cut mid-way, "
        f"{tally.busy} busy answers"
    )
