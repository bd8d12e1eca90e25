"""``POST /v1/orders/import``: a brand's order CSV, streamed to a spool file, then imported.

The body is never held in memory: it is copied chunk by chunk to a temporary file (kept
in memory only while small) while its hash is taken, which also gives the Idempotency-Key
fingerprint before anything is stored. The import then reads the file in blocks in a
worker thread, so the event loop keeps answering other requests meanwhile.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from typing import IO, Annotated, Final

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from starlette.requests import ClientDisconnect

from doorstep.api.deps import CurrentPrincipal, IdempotencyKey, IdempotentCall, Services
from doorstep.api.problems import MEDIA_TYPE, Problem, problem, problem_document
from doorstep.api.schemas.common import Token
from doorstep.api.schemas.imports import ImportReportPublic
from doorstep.domain.access import Principal
from doorstep.services.idempotency import (
    BeforeCommit,
    IdempotentRequest,
    SavedResponse,
    fingerprint,
)
from doorstep.services.orders.imports import import_orders_csv
from doorstep.services.sheets.import_report import ImportReport

IMPORT_PATH: Final = "/orders/import"
CHUNK_BYTES: Final = 64 * 1024
SPOOL_IN_MEMORY: Final = 1024 * 1024  # smaller bodies never touch the disk
CSV_MEDIA_TYPES: Final = frozenset(
    {"text/csv", "application/csv", "text/plain", "application/vnd.ms-excel"}
    | {"application/octet-stream"}
)

router = APIRouter(tags=["orders"])
ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": Problem} for code in (401, 403, 409, 413, 415, 422)
}
CSV_BODY: Final = {
    "requestBody": {
        "required": True,
        "content": {"text/csv": {"schema": {"type": "string", "format": "binary"}}},
    }
}


@router.post(
    IMPORT_PATH, response_model=ImportReportPublic, responses=ERRORS, openapi_extra=CSV_BODY
)
async def import_orders(
    request: Request,
    services: Services,
    principal: CurrentPrincipal,
    key: IdempotencyKey = None,
    atomic: Annotated[bool, Query(description="All rows or none.")] = False,
    brand_id: Annotated[Token | None, Query(description="Operators name the brand.")] = None,
) -> Response:
    """Create orders from a CSV file (``docs/orders-csv.md``) and report on every row.

    Valid rows become orders and rejected rows are listed with row, column and reason;
    with ``atomic=true`` (at most 10,000 rows) nothing is created unless every row is
    valid. A file that cannot be read at all (missing columns, UTF-16, empty) is 422.
    """
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY) as spool:
        try:
            digest = await _spool(request, spool)
        except ClientDisconnect:
            return Response(status_code=400)  # nobody is left to read an answer
        if media and media not in CSV_MEDIA_TYPES:
            return _unsupported(media)
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        replay = None
        if key is not None:
            replay = IdempotentRequest(
                key, fingerprint(request.method, path, digest, secret=services.secret_key)
            )
        call = IdempotentCall(services, principal, replay)
        return await run_in_threadpool(_import, call, principal, spool, atomic, brand_id)


async def _spool(request: Request, spool: IO[bytes]) -> bytes:
    """Copy the body to ``spool`` as it arrives; return a digest standing for the body."""
    digest = hashlib.sha256()
    async for chunk in request.stream():
        spool.write(chunk)
        digest.update(chunk)
    spool.seek(0)
    return b"sha256:" + digest.hexdigest().encode()


def _import(
    call: IdempotentCall, principal: Principal, spool: IO[bytes], atomic: bool, brand_id: str | None
) -> Response:
    chunks = iter(lambda: spool.read(CHUNK_BYTES), b"")
    services = call.container

    def action(hook: BeforeCommit[ImportReport] | None) -> ImportReport:
        return import_orders_csv(
            services.uow_factory,
            principal,
            chunks,
            clock=services.clock,
            postcodes=services.postcodes,
            brand_id=brand_id,
            atomic=atomic,
            before_commit=hook,
        )

    return call.run(action, render_report)


def render_report(report: ImportReport) -> SavedResponse:
    """200 with the report; 422 problem+json when reading stopped and nothing was created."""
    body = ImportReportPublic.model_validate(report.to_dict())
    if report.complete or report.created:
        return SavedResponse(200, body.model_dump_json().encode())
    reason = report.errors[-1].reason if report.errors else "it cannot be read"
    document = problem_document(
        422,
        "unusable_file",
        f"The file cannot be imported: {reason}.",
        errors=[
            {"field": e.column or "file", "reason": e.reason, "row": e.row} for e in report.errors
        ],
        report=body.model_dump(mode="json"),
    )
    return SavedResponse(422, json.dumps(document).encode(), content_type=MEDIA_TYPE)


def _unsupported(media: str) -> Response:
    return problem(415, "unsupported_media_type", f"Send the file as text/csv, not {media}.")
