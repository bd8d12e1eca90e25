"""The OpenAPI document says what the API really sends, so generated clients can trust it."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

PROBLEM_JSON = "application/problem+json"


def _operations(spec: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{method.upper()} {path}", operation)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
    ]


def test_every_error_answer_is_documented_as_problem_json(client: TestClient) -> None:
    spec = client.get("/v1/openapi.json").json()
    for name, operation in _operations(spec):
        for status, answer in operation["responses"].items():
            if status.startswith(("4", "5")):
                assert list(answer["content"]) == [PROBLEM_JSON], (name, status)
                schema = answer["content"][PROBLEM_JSON]["schema"]
                assert schema == {"$ref": "#/components/schemas/Problem"}, (name, status)


def test_every_operation_taking_a_body_documents_the_size_limit(client: TestClient) -> None:
    spec = client.get("/v1/openapi.json").json()
    for name, operation in _operations(spec):
        if "requestBody" in operation:
            assert "413" in operation["responses"], name


def test_opening_hours_are_local_times_not_rfc3339_times(client: TestClient) -> None:
    schemas = client.get("/v1/openapi.json").json()["components"]["schemas"]
    for model in ("HubCreate", "HubPublic"):
        for field in ("opens", "closes"):
            described = schemas[model]["properties"][field]
            assert "format" not in described and described["pattern"].startswith("^"), model


def test_the_plan_request_and_document_are_declared_types_with_a_manifest_per_stop(
    client: TestClient,
) -> None:
    schemas = client.get("/v1/openapi.json").json()["components"]["schemas"]
    plan = schemas["PlanPublic"]["properties"]
    assert plan["request"]["$ref"].split("/")[-1].startswith("StoredPlanRequest")
    result = [ref["$ref"] for ref in plan["result"]["anyOf"] if "$ref" in ref]
    assert [r.split("/")[-1] for r in result] == ["PlanDocument"]
    stop = schemas["PlanStop"]["properties"]
    assert {"address_lines", "recipient_first_name", "parcels"} <= set(stop)
    assert {"reference", "barcode", "recipient_first_name"} <= set(
        schemas["PlanParcel"]["properties"]
    )
    assert "detail" in schemas["PlanUnassigned"]["properties"]
