"""``POST /v1/courier/pings`` over real HTTP on SQLite and PostgreSQL: a courier's batch is
stored whole, anyone else is refused, and a bad body is a problem naming the field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from doorstep.domain.access import Principal
from doorstep.domain.model import Role
from doorstep.domain.pings import Ping
from tests.courier_day import put_on_duty
from tests.integration.live_server import LiveApi, serve

PROBLEM = "application/problem+json"
SYSTEM = Principal.system("tests")


def _courier(live_api: LiveApi) -> tuple[str, httpx.Client]:
    admin = live_api.client(live_api.create_operator(Role.ADMIN))
    made = admin.post("/v1/couriers", json={"name": "Kit Courier", "phone": "+447700900123"})
    assert made.status_code == 201, made.text
    courier_id: str = made.json()["id"]
    put_on_duty(live_api.container.uow_factory, courier_id)
    token = live_api.create_operator(Role.COURIER, courier_id=courier_id)
    return courier_id, live_api.client(token)


def _ping(seconds_ago: float = 5, **change: Any) -> dict[str, Any]:
    at = datetime.now(UTC) - timedelta(seconds=seconds_ago)
    return {"lat": 51.5502, "lon": -0.1405, "accuracy_m": 9.5, "at": at.isoformat()} | change


def _stored(live_api: LiveApi, courier_id: str) -> list[Ping]:
    now = datetime.now(UTC)
    with live_api.container.uow_factory(SYSTEM) as uow:
        return uow.pings.list_for(courier_id, now - timedelta(days=31), now + timedelta(hours=1))


def test_a_courier_sends_a_batch_and_it_is_stored_whole(live_api: LiveApi) -> None:
    courier_id, courier = _courier(live_api)
    batch = [_ping(20 - i, lat=51.55 + i / 10_000) for i in range(20)]
    batch[0] |= {"speed_mps": 3.5, "heading_deg": 270}

    answer = courier.post("/v1/courier/pings", json={"pings": batch})

    assert answer.status_code == 202, answer.text
    assert answer.json() == {"accepted": 20}
    stored = _stored(live_api, courier_id)
    assert [p.lat for p in stored] == [b["lat"] for b in batch]
    assert (stored[0].speed_mps, stored[0].heading_deg, stored[1].speed_mps) == (3.5, 270, None)
    assert stored[0].at == datetime.fromisoformat(batch[0]["at"])


@pytest.mark.parametrize("role", [Role.ADMIN, Role.DISPATCHER, None])
def test_nobody_but_a_courier_may_send_positions(live_api: LiveApi, role: Role | None) -> None:
    """Office staff, and a brand's key (``None``)."""
    token = live_api.create_brand()[1] if role is None else live_api.create_operator(role)
    # Refused before the body is read: an empty body is 403 too, not 422.
    for body in ({"pings": [_ping()]}, {}):
        answer = live_api.client(token).post("/v1/courier/pings", json=body)
        assert answer.status_code == 403, answer.text
        assert answer.headers["content-type"] == PROBLEM


def test_a_caller_without_credentials_gets_401(live_api: LiveApi) -> None:
    answer = live_api.client().post("/v1/courier/pings", json={"pings": [_ping()]})
    assert answer.status_code == 401
    assert answer.headers["content-type"] == PROBLEM
    assert answer.headers["www-authenticate"] == "Bearer"


def _bad(index: int, **change: Any) -> dict[str, Any]:
    batch = [_ping() for _ in range(5)]
    batch[index] = _ping(**change)
    return {"pings": batch}


def _without(key: str) -> dict[str, Any]:
    ping = _ping()
    del ping[key]
    return {"pings": [_ping(), ping]}


FUTURE = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
OLD = (datetime.now(UTC) - timedelta(days=31)).isoformat()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (_bad(3, lat=91.0), "pings[3].lat"),
        (_bad(0, lon=-180.01), "pings[0].lon"),
        (_bad(4, accuracy_m=-1), "pings[4].accuracy_m"),
        (_bad(2, heading_deg=400), "pings[2].heading_deg"),
        (_bad(1, lat="north"), "pings[1].lat"),
        (_bad(1, lat=None), "pings[1].lat"),
        (_bad(3, at=FUTURE), "pings[3].at"),
        (_bad(3, at=OLD), "pings[3].at"),
        (_bad(3, at="2026-12-03T09:00:00"), "pings[3].at"),
        (_bad(3, at="yesterday"), "pings[3].at"),
        (_bad(0, altitude_m=12), "pings[0].altitude_m"),
        (_without("accuracy_m"), "pings[1].accuracy_m"),
        ({"pings": []}, "pings"),
        ({"pings": [_ping()] * 101}, "pings"),
        ({"pings": {"lat": 51.5}}, "pings"),
        ({}, "pings"),
    ],
)
def test_a_bad_body_is_a_problem_naming_the_field_and_stores_nothing(
    live_api: LiveApi, body: dict[str, Any], field: str
) -> None:
    courier_id, courier = _courier(live_api)

    answer = courier.post("/v1/courier/pings", json=body)

    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == PROBLEM
    assert [e["field"] for e in answer.json()["errors"]] == [field]
    assert _stored(live_api, courier_id) == []


def test_a_body_that_is_not_json_is_a_problem(live_api: LiveApi) -> None:
    _, courier = _courier(live_api)
    answer = courier.post(
        "/v1/courier/pings", content=b"lat=51.5", headers={"Content-Type": "application/json"}
    )
    assert 400 <= answer.status_code < 500, answer.text
    assert answer.headers["content-type"] == PROBLEM


def test_the_retention_setting_decides_which_positions_are_too_old(database_url: str) -> None:
    with serve(database_url, ping_retention_days=1) as live:
        courier_id, courier = _courier(live)
        two_days_ago = 2 * 24 * 3600

        answer = courier.post("/v1/courier/pings", json={"pings": [_ping(two_days_ago)]})

        assert answer.status_code == 422, answer.text
        assert answer.json()["errors"] == [
            {"field": "pings[0].at", "reason": "is older than positions are kept (1 day)"}
        ]
        assert courier.post("/v1/courier/pings", json={"pings": [_ping()]}).status_code == 202
        assert len(_stored(live, courier_id)) == 1


def test_a_courier_with_no_started_route_is_not_tracked(live_api: LiveApi) -> None:
    admin = live_api.client(live_api.create_operator(Role.ADMIN))
    made = admin.post("/v1/couriers", json={"name": "Off Duty", "phone": "+447700900124"})
    courier_id = made.json()["id"]
    courier = live_api.client(live_api.create_operator(Role.COURIER, courier_id=courier_id))

    answer = courier.post("/v1/courier/pings", json={"pings": [_ping()]})

    assert answer.status_code == 409, answer.text
    assert "No started route" in answer.json()["detail"]
    assert _stored(live_api, courier_id) == []
