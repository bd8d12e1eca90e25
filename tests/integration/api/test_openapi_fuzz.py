"""Property-based requests generated from the published OpenAPI, against a live server.

Schemathesis makes valid requests for every operation (as a brand and as an operator
admin; the courier app's operations also as a courier) and checks the answers: never a
5xx, and every answer is declared in the OpenAPI with that status, that content type and a
body matching its schema. In negative mode it
makes requests the schema forbids (wrong types, missing fields, out-of-range values,
malformed headers, bodies that are not JSON), which must be refused with a declared 4xx.
Hand-made hostile bytes (bad UTF-8 in headers, NUL, deep nesting) are sent over a raw
socket in ``test_hostile_requests_http``. The runs are seeded (``derandomize``) so a
failure reproduces, and bounded by a number of examples per operation.

Random ids would only ever reach "not found", so half of the cases get the ids of real
objects (the caller's order and parcel, a hub, a brand) in their path instead.
The schema is read from the running server, as a client would. Each operation gets its own
Hypothesis test from ``operation.as_strategy()``; all operations run and every failure is
reported together. (``schemathesis.pytest.from_fixture`` would do the same, but its loader
reads a private pytest attribute that pytest 9 no longer has.)
"""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Err
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from doorstep.domain.model import Role
from tests.factories import order_payload
from tests.integration.live_server import LiveApi

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
BOUNDED = settings(
    max_examples=15,
    derandomize=True,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
    database=None,
)
NEGATIVE_BOUNDED = settings(BOUNDED, max_examples=8)


def _real_ids(live_api: LiveApi, brand_key: str) -> dict[str, str]:
    """Path parameter name -> the id of a real object (an order of ``brand_key``'s brand)."""
    order = live_api.client(brand_key).post("/v1/orders", json=order_payload()).json()
    admin = live_api.client(live_api.create_operator(Role.ADMIN))
    hub = admin.post(
        "/v1/hubs", json={"name": "Kentish Town", "address": "1 Regis Road", "lat": 51.5, "lon": 0}
    ).json()
    return {
        "order_id": order["id"],
        "parcel_id": order["parcels"][0]["id"],
        "hub_id": hub["id"],
        "brand_id": order["brand_id"],
    }


def _failure_of(
    operation: Any,
    base_url: str,
    token: str,
    known: dict[str, str],
    mode: GenerationMode = GenerationMode.POSITIVE,
) -> str | None:
    """Run one operation's generated cases; what went wrong, or None."""
    headers = {"Authorization": f"Bearer {token}"}
    # Not schemathesis' negative_data_rejection: unknown query parameters and headers are
    # ignored rather than refused, as HTTP clients expect; what matters here is that
    # nothing invalid gets a 5xx or an answer the OpenAPI does not declare.
    bounded = BOUNDED if mode is GenerationMode.POSITIVE else NEGATIVE_BOUNDED

    @bounded
    @given(case=operation.as_strategy(generation_mode=mode), use_real_ids=st.booleans())
    def run(case: schemathesis.Case[Any], use_real_ids: bool) -> None:
        if use_real_ids and case.path_parameters:
            for name in case.path_parameters:
                case.path_parameters[name] = known.get(name, case.path_parameters[name])
        case.call_and_validate(base_url=base_url, headers=headers, checks=CHECKS)

    try:
        run()
    except (Exception, BaseExceptionGroup) as failure:  # collected, reported together
        return f"{operation.label}: {failure}"
    return None


def _fuzz_every_operation(
    live_api: LiveApi,
    token: str,
    real_ids: dict[str, str],
    mode: GenerationMode = GenerationMode.POSITIVE,
    tag: str | None = None,
) -> list[str]:
    """Every operation's failures (only those tagged ``tag`` when given), one entry per
    failing operation."""
    schema = schemathesis.openapi.from_url(f"{live_api.base_url}/v1/openapi.json")
    failures: list[str] = []
    operations = 0
    fuzzed: list[str] = []
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            failures.append(f"the OpenAPI has an invalid operation: {result.err()}")
            continue
        operation = result.ok()
        operations += 1
        if tag is not None and tag not in operation.definition.raw.get("tags", []):
            continue
        fuzzed.append(operation.label)
        if failure := _failure_of(operation, live_api.base_url, token, real_ids, mode):
            failures.append(failure)
    assert operations >= 10, "the OpenAPI lost its operations"
    assert fuzzed, f"no operation is tagged {tag!r}"
    return failures


def test_a_brand_never_gets_a_server_error_or_an_undeclared_answer(live_api: LiveApi) -> None:
    _, key = live_api.create_brand()
    failures = _fuzz_every_operation(live_api, key, _real_ids(live_api, key))
    assert failures == [], "\n\n".join(failures)


def test_an_admin_never_gets_a_server_error_or_an_undeclared_answer(live_api: LiveApi) -> None:
    _, key = live_api.create_brand()
    token = live_api.create_operator(Role.ADMIN)
    failures = _fuzz_every_operation(live_api, token, _real_ids(live_api, key))
    assert failures == [], "\n\n".join(failures)


def test_a_brand_gets_a_declared_4xx_for_every_invalid_request(live_api: LiveApi) -> None:
    _, key = live_api.create_brand()
    real_ids = _real_ids(live_api, key)
    failures = _fuzz_every_operation(live_api, key, real_ids, GenerationMode.NEGATIVE)
    assert failures == [], "\n\n".join(failures)


def test_an_admin_gets_a_declared_4xx_for_every_invalid_request(live_api: LiveApi) -> None:
    _, key = live_api.create_brand()
    token = live_api.create_operator(Role.ADMIN)
    real_ids = _real_ids(live_api, key)
    failures = _fuzz_every_operation(live_api, token, real_ids, GenerationMode.NEGATIVE)
    assert failures == [], "\n\n".join(failures)


def test_a_courier_gets_declared_answers_from_the_courier_app_operations(
    live_api: LiveApi,
) -> None:
    admin = live_api.client(live_api.create_operator(Role.ADMIN))
    courier = admin.post("/v1/couriers", json={"name": "Kit Courier"}).json()
    token = live_api.create_operator(Role.COURIER, courier_id=courier["id"])
    failures = [
        failure
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        for failure in _fuzz_every_operation(live_api, token, {}, mode, tag="courier")
    ]
    assert failures == [], "\n\n".join(failures)
