"""ETAs of started routes: the windows announced to customers, and their recompute.

:func:`latest_windows` is what the tracking page, notifications and webhooks read; the
recompute that announces windows is in :mod:`doorstep.services.eta.recompute`.
"""

from __future__ import annotations

from collections.abc import Sequence

from doorstep.domain.eta import AnnouncedWindow
from doorstep.services.ports import UnitOfWork


def latest_windows(uow: UnitOfWork, order_ids: Sequence[str]) -> dict[str, AnnouncedWindow]:
    """Order id -> the latest window announced for the stop its parcels are on.

    Call it inside an open unit of work (it opens none, so a relay's or a page's
    transaction reads it with everything else). Only parcels on an active stop of a route
    not yet finished count; orders without such a window are left out. An order whose
    parcels ride on two stops gets the earlier window. Scoped like the orders: a brand
    gets its own orders' windows only, a foreign id reads as missing.
    """
    orders = uow.orders.get_many(list(dict.fromkeys(order_ids)))
    parcel_orders = {p.id: order.id for order in orders.values() for p in order.parcels}
    found: dict[str, AnnouncedWindow] = {}
    for parcel_id, window in uow.eta.latest_for_parcels(list(parcel_orders)).items():
        order_id = parcel_orders[parcel_id]
        known = found.get(order_id)
        if known is None or window.start < known.start:
            found[order_id] = window
    return found
