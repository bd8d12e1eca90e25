"""What a brand (or the office) sees of how an order's delivery went: every attempt, with
its evidence, where it happened and how far from the address."""

from __future__ import annotations

from dataclasses import dataclass

from doorstep.domain.model import Order
from doorstep.services.access import require_id
from doorstep.services.errors import NotFound
from doorstep.services.ports import ProofRecord, UnitOfWork


@dataclass(frozen=True, slots=True)
class OrderProof:
    order: Order
    attempts: list[ProofRecord]


def order_proof(uow: UnitOfWork, order_id: str) -> OrderProof:
    """The order's attempts, oldest first; another brand's order is not found."""
    require_id(order_id, "ord", "order")
    with uow.read_only():
        order = uow.orders.get(order_id)
        if order is None:
            raise NotFound("order", order_id)
        return OrderProof(order=order, attempts=uow.proofs.list_for_order(order_id))
