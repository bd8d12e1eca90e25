"""The HTTP client: bounded retries with one idempotency key, and scan answers as results."""

from collections.abc import Callable

import httpx
import pytest

from doorstep.domain.scan import ScanOutcome
from doorstep.sim.client import ApiError, ApiUnavailable, DoorstepClient, RetryPolicy

BASE = "http://127.0.0.1:8000"
SCAN = {"client_event_id": "sorter-1-000001", "barcode": "DS7K2M9Q4ZC1XW", "kind": "load",
        "target": {"bay": None, "route_id": None, "vehicle_id": "veh_a"},
        "scanned_at": "2026-11-26T06:12:00Z"}  # fmt: skip


def _client(
    handler: Callable[[httpx.Request], httpx.Response], waits: list[float] | None = None
) -> DoorstepClient:
    sleep = (waits.append) if waits is not None else (lambda _: None)
    return DoorstepClient(
        BASE, "dsk_abcdefgh_secret", transport=httpx.MockTransport(handler), sleep=sleep
    )


def _flaky(
    failures: list[httpx.Response | Exception],
) -> tuple[list[httpx.Request], Callable[[httpx.Request], httpx.Response]]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if failures:
            failure = failures.pop(0)
            if isinstance(failure, Exception):
                raise failure
            return failure
        return httpx.Response(201, json={"id": "ord_1", "parcels": []})

    return seen, handler


def test_retries_a_dropped_connection_and_a_502_with_the_same_idempotency_key() -> None:
    seen, handler = _flaky([httpx.ConnectError("refused"), httpx.Response(502)])
    order = _client(handler).create_order({"reference": "KKC-1"}, idempotency_key="demo-1")
    assert order["id"] == "ord_1"
    assert [r.headers["Idempotency-Key"] for r in seen] == ["demo-1"] * 3
    assert all(r.headers["Authorization"] == "Bearer dsk_abcdefgh_secret" for r in seen)


def test_generated_idempotency_key_is_kept_across_retries() -> None:
    seen, handler = _flaky([httpx.Response(503), httpx.Response(500)])
    _client(handler).create_order({"reference": "KKC-1"})
    keys = {r.headers["Idempotency-Key"] for r in seen}
    assert len(seen) == 3 and len(keys) == 1


def test_waits_as_told_by_retry_after_on_429_and_backs_off_otherwise() -> None:
    waits: list[float] = []
    _, handler = _flaky(
        [
            httpx.Response(429, headers={"Retry-After": "2"}),
            httpx.Response(500),
            httpx.Response(500),
        ]
    )
    _client(handler, waits).create_order({})
    assert waits == [2.0, 0.5, 1.0]


def test_gives_up_after_the_retry_budget() -> None:
    seen, handler = _flaky([httpx.Response(503)] * 10)
    with pytest.raises(ApiUnavailable, match="4 times; last: HTTP 503"):
        _client(handler).create_order({})
    assert len(seen) == RetryPolicy().attempts


def test_a_refused_order_raises_with_the_fields_named() -> None:
    problem = {
        "title": "Invalid order",
        "status": 422,
        "detail": "1 field is invalid",
        "errors": [{"field": "address.postcode", "reason": "not a UK postcode"}],
    }
    seen, handler = _flaky([httpx.Response(422, json=problem)])
    with pytest.raises(ApiError, match=r"address.postcode: not a UK postcode") as refused:
        _client(handler).create_order({})
    assert refused.value.status_code == 422 and len(seen) == 1


def test_an_accepted_scan_reports_the_parcel_state() -> None:
    body = {
        "id": "scn_1",
        "outcome": "accepted",
        "message": "Loaded",
        "parcel_id": "par_1",
        "parcel_state": "loaded",
    }
    result = _client(lambda _: httpx.Response(201, json=body)).record_scan("hub_1", SCAN)
    assert (result.outcome, result.scan_id, result.parcel_state) == (
        ScanOutcome.ACCEPTED,
        "scn_1",
        "loaded",
    )


def test_a_409_scan_is_a_refusal_with_the_reason_not_an_exception() -> None:
    problem = {
        "title": "Scan refused",
        "status": 409,
        "detail": "Wrong vehicle: parcel belongs on veh_b",
        "current_state": "sorted",
        "allowed_actions": ["load", "sort", "cancel"],
    }
    result = _client(lambda _: httpx.Response(409, json=problem)).record_scan("hub_1", SCAN)
    assert result.outcome is ScanOutcome.REFUSED
    assert result.message.startswith("Wrong vehicle")
    assert (result.current_state, result.allowed_actions) == ("sorted", ("load", "sort", "cancel"))


def test_a_202_scan_is_an_unknown_barcode() -> None:
    body = {"id": "scn_2", "outcome": "unknown_barcode", "message": "Not ours"}
    result = _client(lambda _: httpx.Response(202, json=body)).record_scan("hub_1", SCAN)
    assert result.outcome is ScanOutcome.UNKNOWN_BARCODE and result.status_code == 202


def test_a_scan_is_posted_to_its_hub_and_retried_under_its_client_event_id() -> None:
    seen, handler = _flaky([httpx.Response(500)])
    _client(handler).record_scan("hub_7", SCAN)
    assert [r.url.path for r in seen] == ["/v1/hubs/hub_7/scans"] * 2
    assert {r.headers["Idempotency-Key"] for r in seen} == {"sorter-1-000001"}


def test_other_scan_errors_raise() -> None:
    with pytest.raises(ApiError, match="HTTP 403"):
        _client(lambda _: httpx.Response(403, json={"title": "Forbidden"})).record_scan(
            "hub_1", SCAN
        )


def test_login_uses_the_token_for_later_calls() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/v1/auth/token":
            return httpx.Response(200, json={"access_token": "tok_1", "token_type": "bearer"})
        return httpx.Response(201, json={"id": "ord_1"})

    client = DoorstepClient.login(
        BASE, "ops@example.com", "pw", transport=httpx.MockTransport(handler)
    )
    client.create_order({})
    assert "Authorization" not in seen[0].headers
    assert seen[1].headers["Authorization"] == "Bearer tok_1"
