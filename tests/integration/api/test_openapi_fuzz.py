"""Property-based requests generated from the published OpenAPI, against a live server.

Schemathesis makes valid and invalid requests for every operation (as a brand and as an
operator admin) and checks the answers: never a 5xx, and every answer is declared in the
OpenAPI with that status, that content type and a body matching its schema. The runs are
seeded (``derandomize``) so a failure reproduces, and bounded to stay well under a minute and
a half for both databases.

The schema is read from the running server, as a client would. Each operation gets its own
Hypothesis test from ``operation.as_strategy()``; all operations run and every failure is
reported together. (``schemathesis.pytest.from_fixture`` would do the same, but its loader
reads a private pytest attribute that pytest 9 no longer has.)
"""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Err
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from doorstep.domain.model import Role
from tests.integration.live_server import LiveApi

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
BOUNDED = settings(
    max_examples=8,
    derandomize=True,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
    database=None,
)


def _fuzz_every_operation(live_api: LiveApi, token: str) -> list[str]:
    """Run each operation's generated cases; the failures, one line per operation."""
    schema = schemathesis.openapi.from_url(f"{live_api.base_url}/v1/openapi.json")
    headers = {"Authorization": f"Bearer {token}"}
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            failures.append(f"the OpenAPI has an invalid operation: {result.err()}")
            continue
        operation = result.ok()
        operations += 1

        @BOUNDED
        @given(case=operation.as_strategy())
        def run(case: schemathesis.Case[Any]) -> None:
            case.call_and_validate(base_url=live_api.base_url, headers=headers, checks=CHECKS)

        try:
            run()
        except (Exception, BaseExceptionGroup) as failure:  # collected, reported below
            failures.append(f"{operation.label}: {failure}")
    assert operations >= 10, "the OpenAPI lost its operations"
    return failures


def test_a_brand_never_gets_a_server_error_or_an_undeclared_answer(live_api: LiveApi) -> None:
    _, key = live_api.create_brand()
    failures = _fuzz_every_operation(live_api, key)
    assert failures == [], "\n\n".join(failures)


def test_an_admin_never_gets_a_server_error_or_an_undeclared_answer(live_api: LiveApi) -> None:
    token = live_api.create_operator(Role.ADMIN)
    failures = _fuzz_every_operation(live_api, token)
    assert failures == [], "\n\n".join(failures)
