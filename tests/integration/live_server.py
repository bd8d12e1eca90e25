"""A real uvicorn server on a free loopback port, over a real database, for HTTP tests.

``LiveApi`` also makes the callers a test needs: a brand with an API key, and operator users
who log in over HTTP like everyone else. The fixture ``live_api`` in ``conftest.py`` yields it.
"""

from __future__ import annotations

import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from doorstep.api import create_app
from doorstep.bootstrap import build_container, build_jobs
from doorstep.config import Settings
from doorstep.domain.access import Principal
from doorstep.domain.model import Role
from doorstep.jobs.consumer import start_in_process
from doorstep.planning.params import PlannerParams
from doorstep.security import Argon2PasswordHasher
from doorstep.services import accounts
from doorstep.services.container import Container
from doorstep.services.ports import Clock

SYSTEM = Principal.system("tests")
PASSWORD = "correct horse battery staple"
_serial = count(1)


# How long a test waits for a server to start or answer before calling it hung. A guard,
# not a speed limit: on a loaded 2-core machine starting a server has taken over 30 s.
HANG_GUARD_S = 120.0


@dataclass
class LiveApi:
    base_url: str
    container: Container
    _clients: list[httpx.Client] = field(default_factory=list)

    def client(self, token: str | None = None) -> httpx.Client:
        """An HTTP client for the server, authenticated with ``token`` when given."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        made = httpx.Client(base_url=self.base_url, headers=headers, timeout=HANG_GUARD_S)
        self._clients.append(made)
        return made

    def create_brand(self, name: str = "Camden Coffee Co") -> tuple[str, str]:
        """A new brand and an API key for it: ``(brand_id, "dsk_...")``."""
        uow = self.container.uow_factory
        brand = accounts.create_brand(uow(SYSTEM), name)
        issued = accounts.issue_api_key(uow(SYSTEM), brand.id, clock=self.container.clock)
        return brand.id, issued.token

    def create_operator(self, role: Role = Role.ADMIN, courier_id: str | None = None) -> str:
        """A new operator user, logged in over HTTP: returns its bearer token."""
        email = f"{role.value}{next(_serial)}@example.com"
        accounts.create_user(
            self.container.uow_factory(SYSTEM),
            email=email,
            name=role.value.title(),
            role=role,
            password=PASSWORD,
            hasher=self.container.passwords,
            courier_id=courier_id,
        )
        answer = self.client().post("/v1/auth/token", json={"email": email, "password": PASSWORD})
        answer.raise_for_status()
        token: str = answer.json()["access_token"]
        return token

    def close(self) -> None:
        for made in self._clients:
            made.close()


@contextmanager
def serve(
    database_url: str,
    data_dir: Path | None = None,
    planner: PlannerParams | None = None,
    clock: Clock | None = None,
    page_cache_seconds: float = 0.0,
    **settings: Any,
) -> Iterator[LiveApi]:
    """Run the API for ``database_url`` in a thread until the block ends.

    ``settings`` override the test settings (rate limits, lock-outs, mode); ``clock``
    replaces the system clock (tests of lock-outs move time by hand). Tracking pages are
    read afresh for every request unless ``page_cache_seconds`` keeps them.

    Jobs go to a local (SQLite) queue in ``data_dir`` and a consumer thread runs them, as
    ``doorstep serve`` does on one machine; the queue is made only when a job is enqueued.
    ``planner`` replaces how plan jobs search (a test bounds them by iterations).
    """
    with (
        tempfile.TemporaryDirectory() as scratch,
        _serve(
            database_url, data_dir or Path(scratch), planner, settings, clock, page_cache_seconds
        ) as live,
    ):
        yield live


@contextmanager
def _serve(
    database_url: str,
    data_dir: Path,
    planner: PlannerParams | None,
    overrides: dict[str, Any],
    clock: Clock | None,
    page_cache_seconds: float,
) -> Iterator[LiveApi]:
    settings = Settings(
        **{
            "mode": "test",
            "database_url": database_url,
            "secret_key": "integration-test-secret-key",
            "public_url": "http://127.0.0.1",
            "data_dir": data_dir,
            "redis_url": None,
            # Tests make many requests and logins from one address; the limits themselves
            # are tested with low values passed here.
            "requests_per_minute_per_address": 1_000_000,
            "requests_per_minute_per_credential": 1_000_000,
            "auth_failures_per_address": 1_000_000,
            **overrides,
        }
    )
    jobs = build_jobs(settings)
    container = build_container(
        settings,
        passwords=Argon2PasswordHasher(time_cost=1, memory_cost=1024),
        jobs=jobs,
        planner=planner,
        clock=clock,
    )
    consumer = start_in_process(jobs.queue)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        create_app(
            container, tile_url=settings.tile_url, tracking_cache_seconds=page_cache_seconds
        ),
        log_level="warning",
        lifespan="off",
        server_header=False,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + HANG_GUARD_S
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the API server did not start")
        time.sleep(0.02)
    live = LiveApi(f"http://127.0.0.1:{port}", container)
    try:
        yield live
    finally:
        live.close()
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        consumer.stop(graceful=True)
        container.close()
