"""The Orders pages' reads: the search box, and everything an order's page shows.

Search runs in the store (``OrderQuery.search``: reference and barcode whole, postcode and
name in part, any case, paged by cursor), scoped as every order read is. An order's page
gathers the order, its parcels' histories, the proofs of its attempts and the office's
changes (the audit log) into one timeline. The access code is never read out here: it is
shown only by the courier app's reveal, near the door.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from doorstep.domain.errors import InvalidValue
from doorstep.domain.model import Order
from doorstep.services.access import require_id
from doorstep.services.errors import NotFound
from doorstep.services.orders.use_cases import list_orders
from doorstep.services.ports import (
    SEARCH_FIELDS,
    AuditEntry,
    OrderQuery,
    Page,
    ProofRecord,
    UnitOfWork,
)

MAX_SEARCH = 100  # characters of a search: more is not a reference, postcode or name
PAGE_SIZE = 25


def check_search(text: str, field: str) -> str:
    """The search text, trimmed; refuses control characters, overlong text, unknown fields
    (``InvalidValue`` names what is wrong, for the page to say)."""
    if field not in SEARCH_FIELDS:
        raise InvalidValue("in", f"search in one of: {', '.join(SEARCH_FIELDS)}")
    text = text.strip()
    if len(text) > MAX_SEARCH:
        raise InvalidValue("q", f"at most {MAX_SEARCH} characters")
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise InvalidValue("q", "must not contain control characters")
    return text


def search_orders(
    uow: UnitOfWork, text: str, *, field: str = "all", cursor: str | None = None
) -> Page[Order]:
    """Orders matching ``text`` (newest first); an empty search lists the newest."""
    text = check_search(text, field)
    query = OrderQuery(search=text or None, search_in=field, limit=PAGE_SIZE, cursor=cursor)
    return list_orders(uow, query)


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    at: datetime
    who: str
    what: str
    where: str | None
    parcel_id: str | None
    reason: str | None


@dataclass(frozen=True, slots=True)
class OrderPage:
    order: Order
    attempts: list[ProofRecord]
    timeline: list[TimelineEntry]  # oldest first: parcels' events and the office's changes


def _timeline(order: Order, audit: list[AuditEntry]) -> list[TimelineEntry]:
    entries = [
        TimelineEntry(
            at=e.at,
            who=e.actor,
            what=e.action.value.replace("_", " "),
            where=e.place,
            parcel_id=p.id,
            reason=e.reason_code,
        )
        for p in order.parcels
        for e in p.events
    ]
    entries += [
        TimelineEntry(
            at=a.at,
            who=a.actor,
            what=a.action,
            where=None,
            parcel_id=a.details.get("parcel_id") or _parcel_target(order, a),
            reason=a.details.get("reason") or a.details.get("why") or a.details.get("changed"),
        )
        for a in audit
    ]
    return sorted(entries, key=lambda entry: entry.at)


def _parcel_target(order: Order, entry: AuditEntry) -> str | None:
    """The parcel an entry was written against (a return started from a page), if any."""
    return None if entry.target_id == order.id else entry.target_id


def order_page(uow: UnitOfWork, order_id: str) -> OrderPage:
    """The order, its attempts (with evidence) and its timeline; 404 when not visible."""
    require_id(order_id, "ord", "order")
    with uow.read_only():
        order = uow.orders.get(order_id)
        if order is None:
            raise NotFound("order", order_id)
        attempts = uow.proofs.list_for_order(order_id)
        # The office's changes to the order, and to its parcels (a return started from the
        # returns page or this one is audited against the parcel).
        audit = uow.audit.list_for(order_id)
        for parcel in order.parcels:
            audit += uow.audit.list_for(parcel.id)
    return OrderPage(order=order, attempts=attempts, timeline=_timeline(order, audit))
