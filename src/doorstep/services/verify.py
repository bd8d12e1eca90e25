"""Verify an order's records: each parcel's hash-chained history and its proof files.

One read-only transaction. Scoping is the repositories': a brand verifies only its own
orders, and another brand's order answers 404 like one that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from doorstep.domain import chain
from doorstep.domain.chain import FileHash, Purged
from doorstep.services.access import require_id
from doorstep.services.errors import NotFound
from doorstep.services.ports import UnitOfWork

NO_FILE_STORE = "proof files were not checked: this server has no file store configured"


@dataclass(frozen=True, slots=True)
class OrderVerification:
    """What is wrong (``problems``: tampering or loss) and what is merely worth knowing
    (``notes``: files purged after retention, checks that could not run)."""

    order_id: str
    problems: tuple[str, ...]
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_order(
    uow: UnitOfWork,
    order_id: str,
    file_hash: FileHash | None,
    purged: Purged | None = None,
) -> OrderVerification:
    """Walk every parcel's stored events and proof files of ``order_id``.

    ``file_hash`` gives a stored proof file's current SHA-256 (None when missing); without
    it the files are not checked, and a note says so when the order names any.
    """
    require_id(order_id, "ord", "order")
    with uow.read_only():
        chains = uow.orders.chains(order_id)
    if chains is None:
        raise NotFound("order", order_id)
    problems: list[str] = []
    notes: list[str] = []
    names_files = False
    for parcel in chains:
        problems += chain.verify_chain(parcel.barcode, parcel.links, state=parcel.state)
        names_files = names_files or any(
            chain.proof_files(stored.record.details) for stored in parcel.links
        )
        if file_hash is not None:
            files = chain.verify_proof_files(parcel.barcode, parcel.links, file_hash, purged)
            problems += files.problems
            notes += files.notes
    if file_hash is None and names_files:
        notes.append(NO_FILE_STORE)
    return OrderVerification(order_id=order_id, problems=tuple(problems), notes=tuple(notes))
