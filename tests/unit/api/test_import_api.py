"""``POST /v1/orders/import`` through the app: report, unusable files, size cap, replay."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi.testclient import TestClient

from doorstep.api import create_app
from doorstep.services.container import Container
from doorstep.services.orders.imports import ATOMIC_MAX_ROWS
from tests.unit.api.conftest import bearer, brand_key

Auth = tuple[str, dict[str, str]]
HEADER = b"reference,recipient_name,address_line1,postcode,service_level,weight_kg\n"
CSV = {"Content-Type": "text/csv"}


def test_answers_the_report_and_creates_the_valid_rows(client: TestClient, brand: Auth) -> None:
    body = HEADER + b"A,Ada,1 Road,NW1 9LL,next_day,1\nB,Bo,2 Road,NW1 9LL,next_day,-2\n"

    answer = client.post("/v1/orders/import", content=body, headers=brand[1] | CSV)

    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert (report["accepted"], report["rejected"], report["created"]) == (1, 1, 1)
    assert report["errors"] == [
        {"row": 3, "column": "weight_kg", "reason": "must be greater than 0 kg, not -2"}
    ]
    listed = client.get("/v1/orders", headers=brand[1]).json()["items"]
    assert [o["id"] for o in listed] == report["order_ids"]


def test_a_file_without_the_required_columns_is_a_422_problem(
    client: TestClient, brand: Auth
) -> None:
    answer = client.post(
        "/v1/orders/import", content=b"reference,postcode\nA,NW1 9LL\n", headers=brand[1] | CSV
    )
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert problem["type"].endswith("/unusable_file")
    assert "recipient_name" in problem["detail"]
    assert problem["errors"][0]["row"] == 1 and problem["report"]["created"] == 0


def test_an_atomic_file_over_the_row_limit_is_refused_for_its_size_after_many_row_errors(
    client: TestClient, brand: Auth
) -> None:
    rows = b"".join(b"R%d,Ada,1 Road,NOPE,next_day,1\n" % i for i in range(ATOMIC_MAX_ROWS + 1))

    answer = client.post(
        "/v1/orders/import?atomic=true", content=HEADER + rows, headers=brand[1] | CSV
    )

    assert answer.status_code == 422
    assert f"more than {ATOMIC_MAX_ROWS} rows" in answer.json()["detail"]


def test_refuses_a_json_body_with_415(client: TestClient, brand: Auth) -> None:
    answer = client.post("/v1/orders/import", json={"orders": []}, headers=brand[1])
    assert answer.status_code == 415 and "text/csv" in answer.json()["detail"]


def test_the_import_has_its_own_size_cap_and_the_other_routes_keep_theirs(
    container: Container,
) -> None:
    app = create_app(container, max_body_bytes=1000, max_import_bytes=5000)
    _, token = brand_key(container)
    with TestClient(app, raise_server_exceptions=False) as client:
        rows = b"".join(b"R%d,Ada,1 Road,NW1 9LL,next_day,1\n" % i for i in range(60))
        fits = client.post("/v1/orders/import", content=HEADER + rows, headers=bearer(token))
        assert fits.status_code == 200 and fits.json()["created"] == 60

        def streamed() -> Iterator[bytes]:
            yield HEADER
            for _ in range(10):
                yield rows  # no Content-Length: counted as it is read

        too_big = client.post("/v1/orders/import", content=streamed(), headers=bearer(token))
        assert too_big.status_code == 413, too_big.text
        assert too_big.json()["type"].endswith("/too_large")
        big_json = client.post("/v1/orders", content=b" " * 2000, headers=bearer(token))
        assert big_json.status_code == 413


def test_the_same_idempotency_key_replays_the_report(client: TestClient, brand: Auth) -> None:
    body = HEADER + b"A,Ada,1 Road,NW1 9LL,next_day,1\n"
    headers = brand[1] | CSV | {"Idempotency-Key": "import-1"}

    first = client.post("/v1/orders/import", content=body, headers=headers)
    again = client.post("/v1/orders/import", content=body, headers=headers)
    other = client.post("/v1/orders/import", content=body + body[-33:], headers=headers)

    assert first.status_code == again.status_code == 200
    assert again.content == first.content and first.json()["created"] == 1
    assert other.status_code == 422 and other.json()["type"].endswith("idempotency_key_reused")
