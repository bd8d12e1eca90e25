"""Fill a fresh Doorstep with one demo morning, over HTTP, as brands and the hub would.

Brands send their orders with their own API keys; then the hub replays its morning of
scans as an operator. Nothing here touches the database: if the demo works, the API
works for a real client too. Planning the day in between is the caller's (``plan_day``),
since a plan is made by a job, not by a client.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, Final
from zoneinfo import ZoneInfo

from doorstep.domain.scan import ScanOutcome
from doorstep.sim.client import ApiError, DoorstepClient
from doorstep.sim.hub_morning import plan_hub_morning
from doorstep.sim.scenario import DEMO_BRANDS, DemoBrand, generate_orders

DEFAULT_BAYS: Final = ("A1", "A2", "A3", "B1", "B2", "B3", "C1", "C2", "C3")
HUB_OPENS: Final = time(6, 0)


@dataclass(frozen=True, slots=True)
class DemoSummary:
    """What the demo prints: how much went in and what the hub made of it."""

    orders: int
    parcels: int
    scans_accepted: int
    scans_refused: int
    scans_unknown: int
    order_errors: tuple[str, ...] = ()  # "<reference>: <reason>" for each refused order
    tracking_urls: tuple[str, ...] = ()  # a few, for the demo to show
    parcels_on_routes: int | None = None  # loaded for a dispatched route; None: no plan


def brand_profiles(
    brand_ids: Sequence[str], brands: Sequence[DemoBrand] = DEMO_BRANDS
) -> dict[str, DemoBrand]:
    """Pair brand ids with demo brands in order (the demo creates them from DEMO_BRANDS)."""
    return {brand_id: brands[i % len(brands)] for i, brand_id in enumerate(brand_ids)}


def seed_demo_day(
    client_for_brand: Mapping[str, DoorstepClient],
    admin_client: DoorstepClient,
    hub_id: str,
    vehicles: Sequence[str],
    date: date,
    seed: int,
    count: int,
    *,
    now: datetime,
    tz: str = "Europe/London",
    bays: Sequence[str] = DEFAULT_BAYS,
    profiles: Mapping[str, DemoBrand] | None = None,
    hub: tuple[float, float] | None = None,
    plan_day: Callable[[], Mapping[str, str]] | None = None,
    ordering: Callable[[], AbstractContextManager[object]] = nullcontext,
) -> DemoSummary:
    """Send ``count`` orders as the brands, then the hub's morning scans as the operator.

    ``profiles`` says which demo brand each brand id plays; by default the ids are paired
    with :data:`DEMO_BRANDS` in mapping order. ``hub`` is the hub's (lat, lon).
    The hub's morning starts when it opens on ``date``, or earlier when it would otherwise
    still be running at ``now``: the hub refuses scans from the future.

    ``ordering`` is entered while the orders are sent (the demo turns its clock back to
    the evening before, so the orders come before the hub's morning).

    ``plan_day``, called once the orders are in, plans and dispatches the day and returns
    each routed parcel's vehicle (parcel id -> vehicle id): the hub then sorts and loads
    by those routes instead of by sectors, and leaves the other parcels at the hub.
    """
    if not client_for_brand:
        raise ValueError("client_for_brand must name at least one brand")
    profiles = profiles or brand_profiles(list(client_for_brand))
    id_of = {profile.name: brand_id for brand_id, profile in profiles.items()}
    planned = generate_orders(date, tz, list(profiles.values()), count, seed, hub_id=hub_id)
    created: list[dict[str, Any]] = []
    errors: list[str] = []
    with ordering():
        for order in planned:
            client = client_for_brand[id_of[order.brand.name]]
            try:
                created.append(
                    client.create_order(order.payload, idempotency_key=order.idempotency_key)
                )
            except ApiError as exc:
                errors.append(f"{order.payload['reference']}: {exc}")
    vehicle_of: dict[str, str] | None = None
    if plan_day is not None:
        by_parcel = plan_day()
        vehicle_of = {
            p["barcode"]: by_parcel[p["id"]]
            for o in created
            for p in o["parcels"]
            if p["id"] in by_parcel
        }
    start = datetime.combine(date, HUB_OPENS, tzinfo=ZoneInfo(tz))
    scans = plan_hub_morning(
        created, vehicles, bays, seed, start=start, hub=hub, not_after=now, vehicle_of=vehicle_of
    )
    outcomes = Counter(admin_client.record_scan(hub_id, s.payload).outcome for s in scans)
    return DemoSummary(
        orders=len(created),
        parcels=sum(len(o["parcels"]) for o in created),
        scans_accepted=outcomes[ScanOutcome.ACCEPTED],
        scans_refused=outcomes[ScanOutcome.REFUSED],
        scans_unknown=outcomes[ScanOutcome.UNKNOWN_BARCODE],
        order_errors=tuple(errors),
        tracking_urls=tuple(str(o["tracking_url"]) for o in created[:3] if "tracking_url" in o),
        parcels_on_routes=None if vehicle_of is None else len(vehicle_of),
    )
