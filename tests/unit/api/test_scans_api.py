from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import order_payload

Auth = tuple[str, dict[str, str]]


@pytest.fixture
def hub_id(client: TestClient, admin: dict[str, str]) -> str:
    body = {"name": "Kentish Town", "address": "1 Regis Road, NW5 3EW", "lat": 51.55, "lon": -0.14}
    answer = client.post("/v1/hubs", json=body, headers=admin)
    assert answer.status_code == 201, answer.text
    hub: str = answer.json()["id"]
    return hub


@pytest.fixture
def barcode(client: TestClient, brand: Auth) -> str:
    made = client.post("/v1/orders", json=order_payload(), headers=brand[1]).json()
    code: str = made["parcels"][0]["barcode"]
    return code


def scan(event: str, barcode: str, kind: str, **target: Any) -> dict[str, Any]:
    return {
        "client_event_id": event,
        "barcode": barcode,
        "kind": kind,
        "target": target or None,
        "scanned_at": "2026-11-26T05:59:00Z",
    }


def test_an_accepted_scan_is_201_and_a_repeat_gets_the_same_answer(
    client: TestClient, admin: dict[str, str], hub_id: str, barcode: str
) -> None:
    path = f"/v1/hubs/{hub_id}/scans"
    first = client.post(path, json=scan("s-1", barcode, "receive"), headers=admin)
    again = client.post(path, json=scan("s-1", barcode, "receive"), headers=admin)

    assert first.status_code == 201, first.text
    assert first.json()["outcome"] == "accepted" and first.json()["parcel_state"] == "at_hub"
    assert again.status_code == 201 and again.json() == first.json()


def test_a_refused_scan_is_409_and_says_what_is_allowed(
    client: TestClient, admin: dict[str, str], hub_id: str, barcode: str
) -> None:
    vehicle = client.post(
        "/v1/vehicles",
        json={
            "name": "Van 1",
            "capacity": {"parcels": 100, "weight_kg": 800, "volume_litres": 5000},
        },
        headers=admin,
    ).json()
    path = f"/v1/hubs/{hub_id}/scans"
    answer = client.post(
        path, json=scan("s-2", barcode, "load", vehicle_id=vehicle["id"]), headers=admin
    )

    assert answer.status_code == 409
    body = answer.json()
    assert body["detail"].startswith(f"Parcel {barcode} is created: cannot load.")
    assert (body["current_state"], body["allowed_actions"]) == ("created", ["cancel", "receive"])
    replay = client.post(
        path, json=scan("s-2", barcode, "load", vehicle_id=vehicle["id"]), headers=admin
    )
    assert replay.status_code == 409 and replay.json() == body
    exceptions = client.get(f"/v1/hubs/{hub_id}/exceptions", headers=admin).json()["items"]
    assert [e["client_event_id"] for e in exceptions] == ["s-2"]


def test_an_unknown_barcode_is_202_and_listed_as_an_exception(
    client: TestClient, admin: dict[str, str], hub_id: str
) -> None:
    answer = client.post(
        f"/v1/hubs/{hub_id}/scans", json=scan("s-3", "DSUNKNOWN", "receive"), headers=admin
    )
    assert answer.status_code == 202
    assert answer.json()["outcome"] == "unknown_barcode"
    listed = client.get(f"/v1/hubs/{hub_id}/exceptions", headers=admin).json()["items"]
    assert [e["barcode"] for e in listed] == ["DSUNKNOWN"]


def test_a_scan_in_an_unknown_hub_is_404(
    client: TestClient, admin: dict[str, str], barcode: str
) -> None:
    for hub in ("hub_0000000000000000", "not-a-hub"):
        answer = client.post(
            f"/v1/hubs/{hub}/scans", json=scan("s", barcode, "receive"), headers=admin
        )
        assert answer.status_code == 404
