"""Dates at the edges of Python's calendar get a 422 naming the field, never a 500.

Year 1 at +14:00 and 9999-12-31 at -14:00 cannot be moved to UTC; 9999-12-31 has no next
day. Every date and time the API takes is held to one range (``domain/calendar.py``).
All cases run against one server per database, and every failure is reported together.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx

from doorstep.domain.model import Role
from tests.factories import order_payload
from tests.integration.live_server import LiveApi

PROBLEM = "application/problem+json"
EDGES = ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "9999-12-31T23:59:59Z"]
HUB = {"name": "Kentish Town", "address": "1 Regis Road", "lat": 51.5, "lon": 0}


def _cursor(stamp: str) -> str:
    raw = json.dumps([stamp, "ord_0000000000000000"]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


Case = tuple[str, httpx.Client, str, str, dict[str, Any]]


def _cases(brand: httpx.Client, admin: httpx.Client, hub_id: str) -> list[Case]:
    """(field expected in the 422, client, method, path, request arguments)."""
    cases: list[Case] = []
    for edge in EDGES:
        late = order_payload(window={"start": "2026-11-26T10:00:00Z", "end": edge})
        early = order_payload(window={"start": edge, "end": "2030-11-26T10:00:00Z"})
        scan = {"client_event_id": "e1", "barcode": "DS000", "kind": "receive", "scanned_at": edge}
        cases += [
            ("window.start", brand, "POST", "/v1/orders", {"json": early}),
            ("created_from", brand, "GET", "/v1/orders", {"params": {"created_from": edge}}),
            ("created_to", brand, "GET", "/v1/orders", {"params": {"created_to": edge}}),
            ("scanned_at", admin, "POST", f"/v1/hubs/{hub_id}/scans", {"json": scan}),
        ]
        if not edge.startswith("0001"):  # an end before its start is refused for that first
            cases.append(("window.end", brand, "POST", "/v1/orders", {"json": late}))
    for stamp in EDGES[:2]:
        cursor = {"params": {"cursor": _cursor(stamp)}}
        cases.append(("cursor", brand, "GET", "/v1/orders", cursor))
    for day in ("9999-12-31", "0001-01-01"):
        plan = {"json": {"hub_id": hub_id, "date": day}}
        cases.append(("date", admin, "POST", "/v1/plans", plan))
    return cases


def test_dates_at_the_calendar_edge_are_422_naming_the_field(live_api: LiveApi) -> None:
    _, key = live_api.create_brand()
    brand = live_api.client(key)
    admin = live_api.client(live_api.create_operator(Role.ADMIN))
    hub_id = admin.post("/v1/hubs", json=HUB).json()["id"]
    brand.post("/v1/orders", json=order_payload())
    failures = []
    for field, client, method, path, arguments in _cases(brand, admin, hub_id):
        answer = client.request(method, path, **arguments)
        named = [e["field"] for e in answer.json().get("errors") or []]
        if (answer.status_code, answer.headers["content-type"]) != (422, PROBLEM) or (
            field not in named
        ):
            failures.append(f"{field}: {answer.status_code} {answer.text[:200]}")
    assert failures == [], "\n".join(failures)


def test_ordinary_dates_are_still_accepted(live_api: LiveApi) -> None:
    _, key = live_api.create_brand()
    http = live_api.client(key)
    assert http.post("/v1/orders", json=order_payload()).status_code == 201
    listed = http.get("/v1/orders", params={"created_from": "2000-01-01T00:00:00+14:00"})
    assert listed.status_code == 200 and len(listed.json()["items"]) == 1
