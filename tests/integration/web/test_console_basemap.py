"""The console's packed base map over real HTTP, on SQLite and PostgreSQL: the courier
app's streets, line for line, for operators only (roles: test_console_session.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from doorstep.domain.model import Role
from tests.integration.live_server import LiveApi, serve
from tests.integration.web.console_client import visitor
from tests.unit.geo.test_basemap import _unpack


@pytest.fixture
def live(database_url: str) -> Iterator[LiveApi]:
    with serve(database_url) as server:
        yield server


def test_a_dispatcher_gets_the_courier_streets_packed_and_gzipped(live: LiveApi) -> None:
    dispatcher = visitor(live, Role.DISPATCHER)
    answer = dispatcher.get("/console/basemap.json", headers={"Accept-Encoding": "gzip"})
    assert answer.status_code == 200
    assert answer.headers["content-encoding"] == "gzip"
    assert answer.headers["cache-control"].startswith("private")
    packed_map = answer.json()
    streets = live.client().get("/courier/basemap.json").json()
    assert _unpack(packed_map) == [f["geometry"]["coordinates"] for f in streets["features"]]
    assert "OpenStreetMap contributors" in packed_map["attribution"]
    plain = dispatcher.get("/console/basemap.json", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.json() == packed_map


def test_nobody_is_sent_to_log_in_for_the_streets(live: LiveApi) -> None:
    nobody = visitor(live)
    answer = nobody.get("/console/basemap.json")
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/console/login")
