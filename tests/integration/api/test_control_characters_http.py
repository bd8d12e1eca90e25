"""Control characters in text fields over real HTTP: a 422 naming the field, never a 500.

PostgreSQL cannot store NUL in text, so before these checks a NUL in an e-mail address
was stored on SQLite (201) and failed on PostgreSQL (500). Every text field of orders,
users, brands, hubs, couriers and vehicles refuses control characters at the door.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import order_payload
from tests.integration.live_server import LiveApi

PROBLEM = "application/problem+json"
HUB = {"name": "Camden", "address": "1 Royal College St", "lat": 51.54, "lon": -0.14}
VEHICLE = {"name": "Van 1", "capacity": {"parcels": 100, "weight_kg": 800, "volume_litres": 6000}}


def _refused(answer: Any, field: str) -> None:
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == PROBLEM
    assert field in [error["field"] for error in answer.json()["errors"]]


@pytest.mark.parametrize(
    ("recipient", "field"),
    [
        ({"name": "Ada", "email": "ada@example.com\x00"}, "recipient.email"),
        ({"name": "Ada\x00Lovelace"}, "recipient.name"),
        ({"name": "Ada", "phone": "+447700900123\x00"}, "recipient.phone"),
    ],
)
def test_an_order_with_nul_in_a_recipient_field_is_422(
    live_api: LiveApi, recipient: dict[str, str], field: str
) -> None:
    _, key = live_api.create_brand()
    answer = live_api.client(key).post("/v1/orders", json=order_payload(recipient=recipient))
    _refused(answer, field)


def test_delivery_notes_keep_their_line_breaks_but_refuse_nul(live_api: LiveApi) -> None:
    _, key = live_api.create_brand()
    http = live_api.client(key)
    address = order_payload()["address"]

    kept = http.post("/v1/orders", json=order_payload(address=address | {"access_notes": "A\nB"}))
    refused = http.post(
        "/v1/orders", json=order_payload(address=address | {"access_notes": "A\x00"})
    )

    assert kept.status_code == 201 and kept.json()["address"]["access_notes"] == "A\nB"
    _refused(refused, "address.access_notes")


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        (
            "/v1/users",
            {"email": "ops@example.com\x00", "name": "Ops", "role": "dispatcher", "password": "x"},
            "email",
        ),
        (
            "/v1/users",
            {"email": "o@example.com", "name": "O\x1b", "role": "admin", "password": "x"},
            "name",
        ),
        ("/v1/brands", {"name": "Camden\x00Coffee"}, "name"),
        ("/v1/hubs", HUB | {"name": "Camden\nHub"}, "name"),
        ("/v1/hubs", HUB | {"address": "1 Royal College St\x00"}, "address"),
        ("/v1/couriers", {"name": "Cy\x00"}, "name"),
        ("/v1/vehicles", VEHICLE | {"name": "Van\x00 1"}, "name"),
    ],
)
def test_operator_resources_refuse_control_characters(
    live_api: LiveApi, path: str, body: dict[str, Any], field: str
) -> None:
    http = live_api.client(live_api.create_operator())
    _refused(http.post(path, json=body), field)


def test_login_with_nul_in_the_email_is_422_not_500(live_api: LiveApi) -> None:
    answer = live_api.client().post(
        "/v1/auth/token", json={"email": "ops@example.com\x00", "password": "x"}
    )
    _refused(answer, "email")
