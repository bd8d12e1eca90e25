"""Tracking links of a route's first stops: what ``doorstep demo`` prints to open."""

from __future__ import annotations

from doorstep.domain.access import Principal
from doorstep.services.ports import UnitOfWorkFactory

READER = Principal.system("tracking-links")


def route_tracking_links(
    uow_factory: UnitOfWorkFactory, route_id: str, base_url: str, limit: int = 3
) -> list[str]:
    """The tracking links of the recipients at the first ``limit`` stops of ``route_id``."""
    with uow_factory(READER).read_only() as uow:
        route = uow.routes.get(route_id)
        if route is None:
            return []
        parcel_ids = [stop.parcel_ids[0] for stop in route.active_stops[:limit] if stop.parcel_ids]
        parcels = uow.parcels.get_many(parcel_ids)
        order_ids = [parcels[p].order_id for p in parcel_ids if p in parcels]
        orders = uow.orders.get_many(order_ids)
    return [f"{base_url}/t/{orders[o].tracking_token}" for o in order_ids if o in orders]
