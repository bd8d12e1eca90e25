"""Every bad input gets a problem+json answer naming the field; none gets a 5xx."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from doorstep.api import create_app
from doorstep.services.container import Container
from tests.factories import order_payload

Auth = tuple[str, dict[str, str]]
PROBLEM = "application/problem+json"


def post_raw(client: TestClient, body: bytes, headers: dict[str, str]) -> dict[str, object]:
    answer = client.post(
        "/v1/orders", content=body, headers=headers | {"Content-Type": "application/json"}
    )
    assert 400 <= answer.status_code < 500, answer.text
    assert answer.headers["content-type"] == PROBLEM
    body_json: dict[str, object] = answer.json()
    assert body_json["status"] == answer.status_code
    assert str(body_json["type"]).startswith("https://doorstep.dev/problems/")
    return body_json


@pytest.mark.parametrize(
    "raw",
    [
        b"{not json",
        b"",
        b"[]",
        b'"a string"',
        b'{"reference": 12}',
        b'{"reference": "A", "parcels": [{"weight_kg": NaN}]}',
        b'{"reference": "A", "parcels": [{"weight_kg": Infinity}]}',
        b'{"reference": "A", "parcels": [{"weight_kg": 1e400}]}',
        b'{"reference": "A", "parcels": [{"weight_kg": ' + b"9" * 5000 + b"}]}",
        b'{"reference": "A\\u0000B"}',
        b"\xff\xfe\x00",
    ],
)
def test_malformed_bodies_are_client_errors(client: TestClient, brand: Auth, raw: bytes) -> None:
    post_raw(client, raw, brand[1])


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"address": {"lines": ["1 A St"], "postcode": "12345"}}, "address.postcode"),
        ({"recipient": {"name": "Ada\x00"}}, "recipient.name"),
        ({"parcels": []}, "parcels"),
        ({"parcels": [{"weight_kg": 0}]}, "parcels[0].weight_kg"),
        ({"parcels": [{"weight_kg": 500}]}, "parcels[0].weight_kg"),
        (
            {"parcels": [{"weight_kg": 1, "length_cm": -1, "width_cm": 1, "height_cm": 1}]},
            "parcels[0].length_cm",
        ),
        ({"parcels": [{"weight_kg": 1}] * 100}, "parcels"),
        (
            {"window": {"start": "2026-11-26T12:00:00Z", "end": "2026-11-26T10:00:00Z"}},
            "window.end",
        ),
        (
            {"window": {"start": "2026-11-26T10:00:00", "end": "2026-11-26T12:00:00"}},
            "window.start",
        ),
        (
            {"address": {"lines": ["1 A St"], "postcode": "E1 6AN", "lat": 91, "lon": 0}},
            "address.lat",
        ),
        ({"service_level": "yesterday"}, "service_level"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_validation_errors_name_the_field(
    client: TestClient, brand: Auth, change: dict[str, object], field: str
) -> None:
    answer = client.post("/v1/orders", json=order_payload(**change), headers=brand[1])
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == PROBLEM
    assert field in [e["field"] for e in answer.json()["errors"]]


def test_an_enormous_body_is_refused_with_413(container: Container, brand: Auth) -> None:
    with TestClient(create_app(container, max_body_bytes=1000)) as small:
        answer = small.post("/v1/orders", content=b"x" * 5000, headers=brand[1])
        assert answer.status_code == 413
        assert answer.json()["status"] == 413
        chunked = small.post("/v1/orders", content=iter([b"x" * 600, b"y" * 600]), headers=brand[1])
        assert chunked.status_code == 413


@pytest.mark.parametrize(
    "path",
    [
        "/v1/orders/123",
        "/v1/orders/ord_%00%00",
        "/v1/orders/" + "ord_" + "z" * 300,
        "/v1/parcels/ord_0000000000000000",
        "/v1/parcels/par_0000000000000000",
        "/v1/nothing-here",
    ],
)
def test_ids_of_the_wrong_shape_and_unknown_paths_are_404(
    client: TestClient, brand: Auth, path: str
) -> None:
    answer = client.get(path, headers=brand[1])
    assert answer.status_code == 404
    assert answer.headers["content-type"] == PROBLEM


def test_missing_or_bad_credentials_are_401_with_a_challenge(client: TestClient) -> None:
    for headers in [
        {},
        {"Authorization": "Bearer dsk_aaaaaaaa_nope"},
        {"Authorization": "Bearer forged.token"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
    ]:
        answer = client.get("/v1/orders", headers=headers)
        assert answer.status_code == 401
        assert answer.headers["www-authenticate"] == "Bearer"
        assert answer.headers["content-type"] == PROBLEM


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/hubs"),
        ("POST", "/v1/hubs"),
        ("POST", "/v1/hubs/hub_0000000000000000/scans"),
        ("GET", "/v1/hubs/hub_0000000000000000/exceptions"),
        ("GET", "/v1/vehicles"),
        ("POST", "/v1/vehicles"),
        ("GET", "/v1/couriers"),
        ("POST", "/v1/couriers"),
        ("GET", "/v1/brands"),
        ("POST", "/v1/brands"),
        ("POST", "/v1/brands/brd_0000000000000000/api-keys"),
        ("POST", "/v1/users"),
    ],
)
def test_a_brand_key_on_operator_endpoints_is_403(
    client: TestClient, brand: Auth, method: str, path: str
) -> None:
    answer = client.request(method, path, headers=brand[1], json={})
    assert answer.status_code == 403, answer.text
    assert answer.headers["content-type"] == PROBLEM


def test_method_not_allowed_is_a_problem(client: TestClient, brand: Auth) -> None:
    answer = client.delete("/v1/orders", headers=brand[1])
    assert answer.status_code == 405
    assert answer.headers["content-type"] == PROBLEM


def test_bad_query_parameters_name_the_parameter(client: TestClient, brand: Auth) -> None:
    for query, field in [
        ("limit=0", "limit"),
        ("limit=99999999999999999999999", "limit"),
        ("state=lost", "state"),
        ("created_from=yesterday", "created_from"),
        ("cursor=%00", "cursor"),
    ]:
        answer = client.get(f"/v1/orders?{query}", headers=brand[1])
        assert answer.status_code == 422, query
        assert [e["field"] for e in answer.json()["errors"]] == [field]


def test_a_malformed_idempotency_key_is_refused(client: TestClient, brand: Auth) -> None:
    headers = brand[1] | {"Idempotency-Key": "x" * 300}
    answer = client.post("/v1/orders", json=order_payload(), headers=headers)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "Idempotency-Key"


def test_openapi_and_docs_are_served(client: TestClient) -> None:
    spec = client.get("/v1/openapi.json").json()
    assert "/v1/orders" in spec["paths"] and "/v1/hubs/{hub_id}/scans" in spec["paths"]
    assert client.get("/docs").status_code == 200
