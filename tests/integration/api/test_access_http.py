"""Tenancy and roles over real HTTP: another tenant's ids are 404, brand keys stop at 403."""

from __future__ import annotations

import pytest

from tests.factories import order_payload
from tests.integration.live_server import LiveApi

PROBLEM = "application/problem+json"


def test_another_brand_gets_404_on_every_id_taking_endpoint(live_api: LiveApi) -> None:
    _, mine = live_api.create_brand()
    _, theirs = live_api.create_brand("Peckham Plants")
    order = live_api.client(mine).post("/v1/orders", json=order_payload()).json()
    parcel_id = order["parcels"][0]["id"]
    other = live_api.client(theirs)

    for method, path in [
        ("GET", f"/v1/orders/{order['id']}"),
        ("POST", f"/v1/orders/{order['id']}/cancel"),
        ("GET", f"/v1/parcels/{parcel_id}"),
        ("GET", f"/v1/parcels/{parcel_id}/events"),
        ("GET", f"/v1/parcels/{parcel_id}/label"),
    ]:
        answer = other.request(method, path)
        assert answer.status_code == 404, (method, path, answer.text)
        assert answer.headers["content-type"] == PROBLEM
        assert order["id"] not in answer.text and parcel_id not in answer.text
    assert other.get("/v1/orders").json()["items"] == []
    assert live_api.client(mine).get(f"/v1/orders/{order['id']}").status_code == 200


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/hubs"),
        ("POST", "/v1/hubs"),
        ("POST", "/v1/hubs/hub_0000000000000000/scans"),
        ("GET", "/v1/hubs/hub_0000000000000000/exceptions"),
        ("GET", "/v1/vehicles"),
        ("POST", "/v1/couriers"),
        ("GET", "/v1/brands"),
        ("POST", "/v1/brands"),
        ("POST", "/v1/brands/brd_0000000000000000/api-keys"),
    ],
)
def test_a_brand_key_on_operator_endpoints_is_403(
    live_api: LiveApi, method: str, path: str
) -> None:
    _, key = live_api.create_brand()
    answer = live_api.client(key).request(method, path, json={})
    assert answer.status_code == 403
    assert answer.headers["content-type"] == PROBLEM


def test_no_or_bad_credentials_are_401_with_a_challenge(live_api: LiveApi) -> None:
    for token in (None, "dsk_abcdefgh_wrong", "not.a-token"):
        answer = live_api.client(token).get("/v1/orders")
        assert answer.status_code == 401
        assert answer.headers["www-authenticate"] == "Bearer"
        assert answer.json()["status"] == 401


def test_bad_input_gets_problem_json_never_a_server_error(live_api: LiveApi) -> None:
    _, key = live_api.create_brand()
    http = live_api.client(key)
    json_header = {"Content-Type": "application/json"}
    for body in (
        b"{",
        b'{"reference": "A\\u0000"}',
        b'{"parcels": [{"weight_kg": NaN}]}',
        b'{"parcels": [{"weight_kg": 1e999}]}',
    ):
        answer = http.post("/v1/orders", content=body, headers=json_header)
        assert 400 <= answer.status_code < 500, body
        assert answer.headers["content-type"] == PROBLEM
    nul = order_payload()
    nul["recipient"]["name"] = "Ada\x00Lovelace"
    answer = http.post("/v1/orders", json=nul)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "recipient.name"
    huge = http.post("/v1/orders", content=b"[" + b"1," * 6_000_000 + b"1]", headers=json_header)
    assert huge.status_code == 413
    assert http.get("/v1/orders/ord_%00").status_code == 404
