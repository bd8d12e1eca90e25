"""``GET /v1/orders/{order_id}/verify``: are the order's records as they were written?"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import Field

from doorstep.api.deps import Services, UoW
from doorstep.api.problems import Problem
from doorstep.api.schemas.common import Public
from doorstep.services.verify import verify_order

router = APIRouter(prefix="/orders", tags=["orders"])
ERRORS: dict[int | str, dict[str, object]] = {code: {"model": Problem} for code in (401, 404)}


class VerificationPublic(Public):
    order_id: str
    ok: bool = Field(description="True when no problem was found.")
    problems: list[str] = Field(
        description="Each event changed, missing or out of line, each proof file missing or "
        "changed, in words a person can act on."
    )
    notes: list[str] = Field(
        description="Not problems: proof files purged after their retention period, or "
        "checks this server could not make."
    )


@router.get("/{order_id}/verify", response_model=VerificationPublic, responses=ERRORS)
def verify(order_id: str, uow: UoW, services: Services) -> VerificationPublic:
    """Walk every parcel's hash-chained history and check its proof files."""
    result = verify_order(uow, order_id, services.proof_file_hash, services.proof_purged)
    return VerificationPublic(
        order_id=result.order_id,
        ok=result.ok,
        problems=list(result.problems),
        notes=list(result.notes),
    )
