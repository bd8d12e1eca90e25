"""SIGKILL the API server while scanners are sending, and lose nothing they were told is stored.

Eight scanner clients send 5,000 hub scans (1,000 parcels x receive, sort, load, unload, sort
again), each client owning its own parcels and sending each parcel's scans in order. A client
resends the SAME request (same ``client_event_id``) until it gets a 2xx, as a real scanner with
an offline buffer does. Meanwhile the server process is killed with SIGKILL twice at random
moments and started again on the same port and database.

A 409 (refused scan) counts as a failure, not as an answer: each client sends a parcel's scans
in order and only moves on after an acknowledgement, so the parcel is always in the state the
next scan expects. A refusal could only mean an acknowledged scan was lost or applied twice.
"""

from __future__ import annotations

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
from sqlalchemy import Engine, select

from doorstep.domain.access import Principal
from doorstep.domain.model import Role
from doorstep.domain.parcel import Parcel, ParcelState
from doorstep.security import Argon2PasswordHasher
from doorstep.services import accounts
from doorstep.store.tables import HubRow, HubScanRow, OutboxRow, ParcelEventRow, ParcelRow
from doorstep.store.uow import SqlUnitOfWork
from tests.factories import order_payload
from tests.integration.conftest import TEST_SECRET
from tests.integration.faults.server_process import ServerProcess
from tests.integration.live_server import PASSWORD

pytestmark = pytest.mark.slow

PARCELS = 1000
CLIENTS = 8
BATCH = 500
SEED = 20261125
GIVE_UP_AFTER_S = 600  # a scanner stuck this long means the server never came back
SYSTEM = Principal.system("tests")
UowFactory = Callable[[Principal], SqlUnitOfWork]


@dataclass
class Site:
    admin_token: str
    hub_id: str
    vehicle_id: str
    parcels: list[tuple[str, str]]  # (parcel id, barcode)


@dataclass
class Tally:
    """What the scanners saw, shared between their threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    acked: dict[str, str] = field(default_factory=dict)  # client_event_id -> scan id answered
    transport_retries: int = 0
    cut_mid_request: int = 0  # sent, then the connection died: the kill hit a live request
    server_errors: list[str] = field(default_factory=list)
    busy_retries: int = 0  # 503 with Retry-After: "send it again", answered by resending
    refusals: list[str] = field(default_factory=list)
    deadline: float = field(default_factory=lambda: time.monotonic() + GIVE_UP_AFTER_S)

    def count(self) -> int:
        with self.lock:
            return len(self.acked)


@pytest.fixture
def server(database_url: str) -> Iterator[ServerProcess]:
    process = ServerProcess(database_url, TEST_SECRET)
    process.start()
    yield process
    process.stop()


def _scan_plan(vehicle_id: str) -> list[tuple[str, dict[str, str] | None]]:
    return [
        ("receive", None),
        ("sort", {"bay": "B1", "vehicle_id": vehicle_id}),
        ("load", {"vehicle_id": vehicle_id}),
        ("unload", None),
        ("sort", {"bay": "B2", "vehicle_id": vehicle_id}),
    ]


def _set_up(server: ServerProcess, uow_factory: UowFactory) -> Site:
    """A brand with 1,000 single-parcel orders (batch endpoint), an admin, a hub and a van."""
    clock = _Clock()
    brand = accounts.create_brand(uow_factory(SYSTEM), "Camden Coffee Co")
    key = accounts.issue_api_key(uow_factory(SYSTEM), brand.id, clock=clock).token
    accounts.create_user(
        uow_factory(SYSTEM),
        email="night-shift@example.com",
        name="Night Shift",
        role=Role.ADMIN,
        password=PASSWORD,
        hasher=Argon2PasswordHasher(time_cost=1, memory_cost=1024),
    )
    with httpx.Client(base_url=server.base_url, timeout=60.0) as http:
        login = {"email": "night-shift@example.com", "password": PASSWORD}
        admin = http.post("/v1/auth/token", json=login).json()["access_token"]
        as_admin = {"Authorization": f"Bearer {admin}"}
        hub = http.post(
            "/v1/hubs",
            headers=as_admin,
            json={"name": "Kentish Town", "address": "1 Regis Road", "lat": 51.55, "lon": -0.14},
        ).json()
        capacity = {"parcels": 2000, "weight_kg": 5000, "volume_litres": 50000}
        van = http.post(
            "/v1/vehicles", headers=as_admin, json={"name": "Van 1", "capacity": capacity}
        ).json()
        parcels: list[tuple[str, str]] = []
        for _ in range(PARCELS // BATCH):
            batch = http.post(
                "/v1/orders/batch",
                headers={"Authorization": f"Bearer {key}"},
                json={"orders": [order_payload() for _ in range(BATCH)]},
            ).json()
            assert batch["created"] == BATCH, batch["results"][:3]
            for result in batch["results"]:
                made = result["order"]["parcels"][0]
                parcels.append((made["id"], made["barcode"]))
    return Site(admin, hub["id"], van["id"], parcels)


class _Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)


def _send_until_acknowledged(
    http: httpx.Client, site: Site, body: dict[str, Any], tally: Tally
) -> bool:
    """Resend the same scan until a 2xx; False (and noted) on any other answer."""
    while True:
        try:
            answer = http.post(f"/v1/hubs/{site.hub_id}/scans", json=body)
        except httpx.TransportError as error:
            with tally.lock:
                tally.transport_retries += 1
                tally.cut_mid_request += not isinstance(error, httpx.ConnectError)
            if time.monotonic() > tally.deadline:
                tally.refusals.append(f"{body['client_event_id']}: gave up, the server is gone")
                return False
            time.sleep(0.1)  # the server is down or restarting: do not starve it of CPU
            continue
        if answer.status_code == 503 and "retry-after" in answer.headers:
            # The database was busy (a lock wait gave up): nothing was stored, and a scanner
            # sends the same event again, as the answer asks. Not a server error.
            with tally.lock:
                tally.busy_retries += 1
            time.sleep(0.1)
            continue
        if answer.status_code >= 500:
            with tally.lock:
                tally.server_errors.append(f"{answer.status_code} {answer.text[:200]}")
            time.sleep(0.02)
            continue
        if answer.status_code != 201:
            with tally.lock:
                tally.refusals.append(f"{body['client_event_id']}: {answer.text[:300]}")
            return False
        with tally.lock:
            tally.acked[body["client_event_id"]] = answer.json()["id"]
        return True


def _scanner(
    server: ServerProcess, site: Site, mine: list[tuple[str, str]], name: str, tally: Tally
) -> None:
    headers = {"Authorization": f"Bearer {site.admin_token}"}
    start = datetime.now(UTC) - timedelta(hours=1)
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=30.0) as http:
        for number, (_, barcode) in enumerate(mine):
            for step, (kind, target) in enumerate(_scan_plan(site.vehicle_id)):
                body = {
                    "client_event_id": f"{name}-{number:04d}-{step}",
                    "barcode": barcode,
                    "kind": kind,
                    "target": target,
                    "scanned_at": (start + timedelta(seconds=step)).isoformat(),
                }
                if not _send_until_acknowledged(http, site, body, tally):
                    break


@dataclass
class Killer:
    """SIGKILLs the server twice, each time after a random share of the scans, and restarts it."""

    server: ServerProcess
    tally: Tally
    total: int
    done: threading.Event = field(default_factory=threading.Event)
    killed_at: list[int] = field(default_factory=list)  # acknowledged scans at each kill
    restart_s: list[float] = field(default_factory=list)
    error: BaseException | None = None

    def run(self) -> None:
        rng = random.Random(SEED)
        try:
            for low, high in ((0.15, 0.45), (0.55, 0.85)):
                threshold = int(self.total * rng.uniform(low, high))
                while self.tally.count() < threshold and not self.done.is_set():
                    time.sleep(0.005)
                if self.done.is_set():
                    return
                time.sleep(rng.uniform(0.0, 0.1))  # land at a random point inside some request
                self.killed_at.append(self.tally.count())
                self.server.kill()
                self.restart_s.append(self.server.start())
        except BaseException as error:  # reported by the test, not lost in the thread
            self.error = error
            raise


def _run_scanners(server: ServerProcess, site: Site, tally: Tally) -> Killer:
    """Run the scanners to the end while the killer strikes; returns the killer's record."""
    shares = [site.parcels[i::CLIENTS] for i in range(CLIENTS)]
    threads = [
        threading.Thread(target=_scanner, args=(server, site, share, f"scanner{i}", tally))
        for i, share in enumerate(shares)
    ]
    killer = Killer(server, tally, total=len(site.parcels) * len(_scan_plan(site.vehicle_id)))
    killing = threading.Thread(target=killer.run)
    killing.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    killer.done.set()
    killing.join()
    return killer


def _assert_scans_stored_exactly_once(engine: Engine, hub_id: str, tally: Tally) -> None:
    with engine.connect() as db:
        rows = db.execute(
            select(HubScanRow.client_event_id, HubScanRow.public_id, HubScanRow.outcome)
            .join(HubRow, HubScanRow.hub_pk == HubRow.pk)
            .where(HubRow.public_id == hub_id)
        ).all()
    per_event = Counter(row.client_event_id for row in rows)
    assert [e for e, n in per_event.items() if n > 1] == []
    stored = {row.client_event_id: row.public_id for row in rows}
    assert set(tally.acked) - set(stored) == set(), "acknowledged scans were lost"
    assert set(stored) - set(tally.acked) == set(), "scans stored that nobody was told about"
    assert stored == tally.acked, "a retry was answered with another scan than the stored one"
    assert {row.outcome for row in rows} == {"accepted"}


def _assert_parcels_replay_their_events(uow_factory: UowFactory, site: Site) -> None:
    steps = len(_scan_plan(site.vehicle_id))
    with uow_factory(SYSTEM) as uow:
        for parcel_id, barcode in site.parcels:
            parcel = uow.parcels.get(parcel_id)
            assert parcel is not None
            replayed = Parcel.replay(
                id=parcel.id,
                order_id=parcel.order_id,
                brand_id=parcel.brand_id,
                barcode=barcode,
                weight_kg=parcel.weight_kg,
                events=parcel.events,
            )
            assert (replayed.state, replayed.bay, replayed.vehicle_id) == (
                parcel.state,
                parcel.bay,
                parcel.vehicle_id,
            )
            assert (parcel.state, parcel.bay) == (ParcelState.SORTED, "B2")
            assert [e.sequence for e in parcel.events] == list(range(1, steps + 1))
            scan_ids = [e.details["scan_client_event_id"] for e in parcel.events]
            assert len(set(scan_ids)) == steps, f"{barcode}: a scan applied twice: {scan_ids}"


def _assert_outbox_matches_events(engine: Engine) -> None:
    with engine.connect() as db:
        events = db.execute(
            select(ParcelRow.public_id, ParcelEventRow.sequence, ParcelEventRow.to_state).join(
                ParcelRow, ParcelEventRow.parcel_pk == ParcelRow.pk
            )
        ).all()
        outbox = db.execute(
            select(OutboxRow.aggregate_id, OutboxRow.payload, OutboxRow.name).where(
                OutboxRow.name.like("parcel.%")
            )
        ).all()
    from_events = Counter((e.public_id, e.sequence, f"parcel.{e.to_state}") for e in events)
    from_outbox = Counter((o.aggregate_id, o.payload["sequence"], o.name) for o in outbox)
    assert from_outbox == from_events
    assert max(from_outbox.values()) == 1


def test_acknowledged_scans_survive_sigkill_exactly_once(
    server: ServerProcess, engine: Engine, uow_factory: UowFactory
) -> None:
    began = time.monotonic()
    site = _set_up(server, uow_factory)
    set_up_s = time.monotonic() - began
    tally = Tally()

    killer = _run_scanners(server, site, tally)
    scanned_s = time.monotonic() - began - set_up_s
    server.stop()

    assert killer.error is None
    assert tally.cut_mid_request >= 1, "no kill landed inside a request"
    assert len(killer.killed_at) == 2 and server.starts == 3
    assert tally.refusals == []
    assert tally.server_errors == []
    assert len(tally.acked) == PARCELS * len(_scan_plan(site.vehicle_id))
    _assert_scans_stored_exactly_once(engine, site.hub_id, tally)
    _assert_parcels_replay_their_events(uow_factory, site)
    _assert_outbox_matches_events(engine)
    print(  # shown with -s: the figures for the report
        f"\nset-up {set_up_s:.1f} s, {len(tally.acked)} scans in {scanned_s:.1f} s, "
        f"killed after {killer.killed_at} acks, "
        f"restarted in {[round(r, 1) for r in killer.restart_s]} s, "
        f"{tally.transport_retries} resends, {tally.cut_mid_request} requests cut mid-way"
    )
