"""RFC 9457 problem+json: the one error format, and the handlers that map every failure to it.

Each refusal of the services or the domain has one status here, so routes never build
errors themselves. The last-resort handler answers 500 without leaking internals.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from doorstep.api.limits import BodyTooLarge
from doorstep.domain.errors import (
    DomainError,
    InvalidTransition,
    InvalidValue,
    RouteNotLoaded,
    RouteRefused,
    WrongVehicle,
)
from doorstep.services.errors import (
    AuthenticationFailed,
    Gone,
    NotFound,
    PayloadTooLarge,
    PermissionDenied,
    TooManyRequests,
    UnsupportedMediaType,
)
from doorstep.services.idempotency import IdempotencyKeyReused
from doorstep.services.ports import Conflict, StaleObject, StoreBusy
from doorstep.services.scans import ScanEventReused

PROBLEM_BASE = "https://doorstep.dev/problems/"
BUSY_RETRY_AFTER_S = 2
"""Seconds a client is asked to wait after a 503 ``busy``: one short write is over by then."""
MEDIA_TYPE = "application/problem+json"
log = logging.getLogger("doorstep.api")


class FieldError(BaseModel):
    field: str
    reason: str


class Problem(BaseModel):
    """The body of every error answer."""

    type: str
    title: str
    status: int
    detail: str | None = None
    errors: list[FieldError] | None = None


def problem(
    status: int,
    code: str,
    detail: str | None = None,
    *,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body = problem_document(status, code, detail, **extra)
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def problem_document(
    status: int, code: str, detail: str | None = None, **extra: Any
) -> dict[str, Any]:
    """The problem+json body itself, for answers that are also saved for replay."""
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + code,
        "title": HTTPStatus(status).phrase,
        "status": status,
    }
    if detail is not None:
        body["detail"] = detail
    body.update({key: value for key, value in extra.items() if value is not None})
    return body


def field_name(loc: Sequence[int | str]) -> str:
    """``("body", "parcels", 0, "weight_kg")`` -> ``parcels[0].weight_kg``."""
    parts = list(loc)
    if parts and parts[0] in {"body", "query", "path", "header", "cookie"}:
        parts = parts[1:]
    name = ""
    for part in parts:
        if isinstance(part, int):
            name += f"[{part}]"
        elif not str(part).startswith(("function-after", "function-before", "json-or-python")):
            name += f".{part}" if name else str(part)
    return name or "body"


def field_errors(errors: Sequence[Any]) -> list[dict[str, str]]:
    found = []
    for error in errors:
        reason = str(error.get("msg", "is not valid")).removeprefix("Value error, ")
        found.append({"field": field_name(error.get("loc", ())), "reason": reason})
    return found


async def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = field_errors(exc.errors())
    return problem(422, "validation", "The request is not valid; see errors.", errors=errors)


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = HTTPStatus(exc.status_code).phrase.lower().replace(" ", "_").replace("-", "_")
    headers = dict(exc.headers) if exc.headers else None
    return problem(exc.status_code, code, str(exc.detail), headers=headers)


async def _domain(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    if isinstance(exc, InvalidTransition):
        return problem(
            409, exc.code, exc.message, current_state=exc.current, allowed_actions=exc.allowed
        )
    if isinstance(exc, WrongVehicle):
        return problem(409, exc.code, exc.message, expected_vehicle_id=exc.expected)
    if isinstance(exc, InvalidValue):
        errors = [{"field": exc.field, "reason": exc.reason}]
        return problem(422, exc.code, exc.message, errors=errors)
    if isinstance(exc, RouteNotLoaded):
        return problem(409, exc.code, exc.message, barcodes=exc.barcodes)
    if isinstance(exc, RouteRefused):
        return problem(409, exc.code, exc.message)
    return problem(422, exc.code, exc.message)


async def _not_found(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, NotFound)
    return problem(404, "not_found", f"No {exc.kind} with this id.")


async def _forbidden(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, PermissionDenied)
    return problem(403, "forbidden", exc.message)


async def _unauthenticated(request: Request, exc: Exception) -> JSONResponse:
    return unauthenticated()


def unauthenticated(
    detail: str = "Send a valid API key or token as a Bearer token.",
) -> JSONResponse:
    return problem(401, "unauthenticated", detail, headers={"WWW-Authenticate": "Bearer"})


async def _too_many(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, TooManyRequests)
    headers = {"Retry-After": str(exc.retry_after)}
    return problem(429, "too_many_requests", exc.message, headers=headers)


async def _conflict(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Conflict)
    return problem(409, "conflict", exc.what)


async def _stale(request: Request, exc: Exception) -> JSONResponse:
    return problem(409, "changed_meanwhile", "Someone changed this at the same time; try again.")


async def _busy(request: Request, exc: Exception) -> JSONResponse:
    log.warning("busy on %s %s: %s", request.method, request.url.path, exc)
    return problem(
        503,
        "busy",
        "The database is busy with another write; nothing was changed. Try again shortly.",
        headers={"Retry-After": str(BUSY_RETRY_AFTER_S)},
    )


async def _key_reused(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, IdempotencyKeyReused)
    errors = [{"field": "Idempotency-Key", "reason": "already used for a different request"}]
    return problem(422, "idempotency_key_reused", str(exc), errors=errors)


async def _scan_event_reused(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ScanEventReused)
    errors = [{"field": "client_event_id", "reason": "already used for a different scan"}]
    return problem(422, "client_event_id_reused", exc.message, errors=errors)


async def _too_large(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, BodyTooLarge)
    errors = [{"field": "body", "reason": f"larger than {exc.max_bytes} bytes"}]
    return problem(413, "too_large", str(exc), headers={"Connection": "close"}, errors=errors)


async def _payload_too_large(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, PayloadTooLarge)
    errors = [{"field": "body", "reason": f"larger than {exc.max_bytes} bytes"}]
    return problem(413, "too_large", exc.message, errors=errors)


async def _unsupported(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, UnsupportedMediaType)
    reason = exc.message.removeprefix(f"{exc.field}: ")
    errors = [{"field": exc.field, "reason": reason}]
    return problem(415, "unsupported_media_type", exc.message, errors=errors)


async def _gone(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Gone)
    return problem(410, "gone", exc.message)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(500, "internal", "Something went wrong on our side; it has been logged.")


PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


def document_problem_json(app: FastAPI) -> None:
    """Make the OpenAPI say what is sent: every error answer is ``application/problem+json``.

    FastAPI documents ``responses={404: {"model": Problem}}`` under the route's media type,
    application/json, and adds its own ``HTTPValidationError`` shape for 422; clients that
    check content types against the spec would then reject our real answers. Every route
    taking a body can also meet an unreadable body (400) and the body-size limit (413),
    and every route the rate limit (429), so those are declared too.
    """
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = build()
        for item in schema.get("paths", {}).values():
            for operation in item.values():
                answers = operation.get("responses", {})
                if "requestBody" in operation:
                    # Bytes that are not UTF-8 JSON at all (FastAPI's own refusal).
                    answers.setdefault("400", {"description": "Request body cannot be read"})
                    answers.setdefault("413", {"description": "Request body too large"})
                answers.setdefault("429", {"description": "Too many requests; see Retry-After"})
                for status, answer in answers.items():
                    if status[0] in "45":
                        answer["content"] = {MEDIA_TYPE: {"schema": PROBLEM_REF}}
        return schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented extension point


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(DomainError, _domain)
    app.add_exception_handler(NotFound, _not_found)
    app.add_exception_handler(PermissionDenied, _forbidden)
    app.add_exception_handler(AuthenticationFailed, _unauthenticated)
    app.add_exception_handler(TooManyRequests, _too_many)
    app.add_exception_handler(Conflict, _conflict)
    app.add_exception_handler(StaleObject, _stale)
    app.add_exception_handler(StoreBusy, _busy)
    app.add_exception_handler(IdempotencyKeyReused, _key_reused)
    app.add_exception_handler(ScanEventReused, _scan_event_reused)
    app.add_exception_handler(BodyTooLarge, _too_large)
    app.add_exception_handler(PayloadTooLarge, _payload_too_large)
    app.add_exception_handler(UnsupportedMediaType, _unsupported)
    app.add_exception_handler(Gone, _gone)
    app.add_exception_handler(Exception, _unexpected)
    document_problem_json(app)
