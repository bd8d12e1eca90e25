"""Seeding a demo morning through the API contract, against the real parcel state machine."""

from datetime import UTC, date, datetime

import pytest

from doorstep.domain.parcel import ParcelState
from doorstep.sim.client import DoorstepClient
from doorstep.sim.demo_seed import DemoSummary, brand_profiles, seed_demo_day
from doorstep.sim.scenario import DEMO_BRANDS
from tests.unit.sim.contract_server import ContractServer

BRANDS = {
    "brd_coffee": "dsk_coffee01_s",
    "brd_fashion": "dsk_fashion1_s",
    "brd_home": "dsk_home0001_s",
}
VEHICLES = ["veh_1", "veh_2", "veh_3"]
DAY = date(2026, 11, 26)
NOON = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def _seed(server: ContractServer, count: int = 60, seed: int = 1) -> DemoSummary:
    transport = server.transport()
    brand_clients = {
        b: DoorstepClient("http://127.0.0.1:8000", t, transport=transport)
        for b, t in BRANDS.items()
    }
    admin = DoorstepClient("http://127.0.0.1:8000", server.admin_token, transport=transport)
    return seed_demo_day(brand_clients, admin, "hub_1", VEHICLES, DAY, seed, count, now=NOON)


def test_seeds_orders_then_loads_every_parcel_catching_the_mistakes() -> None:
    server = ContractServer(BRANDS)
    summary = _seed(server)
    parcels = len(server.parcels)
    assert summary.orders == 60 == len(server.orders)
    assert summary.parcels == parcels
    assert summary.scans_accepted == 3 * parcels + 1  # the retried sort answers the same
    assert (summary.scans_refused, summary.scans_unknown) == (1, 1)
    assert summary.order_errors == ()
    assert all(p.state is ParcelState.LOADED for p in server.parcels.values())
    assert len(server.exceptions) == 1 and len(summary.tracking_urls) == 3


def test_each_brand_sends_its_own_orders() -> None:
    server = ContractServer(BRANDS)
    _seed(server)
    profile = brand_profiles(list(BRANDS))
    for order in server.orders.values():
        assert order["reference"].startswith(profile[order["brand_id"]].reference_prefix)


def test_seeding_the_same_day_twice_creates_each_order_once() -> None:
    server = ContractServer(BRANDS)
    _seed(server, count=20)
    first = len(server.parcels)
    _seed(server, count=20)
    assert len(server.orders) == 20 and len(server.parcels) == first


def test_brand_profiles_pair_ids_with_demo_brands_in_order() -> None:
    assert list(brand_profiles(["a", "b", "c", "d"]).values()) == [*DEMO_BRANDS, DEMO_BRANDS[0]]


def test_refuses_to_seed_without_brands() -> None:
    with pytest.raises(ValueError, match="brand"):
        seed_demo_day(
            {}, DoorstepClient("http://127.0.0.1:8000"), "hub_1", VEHICLES, DAY, 1, 5, now=NOON
        )


def test_a_day_planned_after_the_orders_loads_only_the_routed_parcels() -> None:
    server = ContractServer(BRANDS)
    seen_orders: list[int] = []

    def plan_day() -> dict[str, str]:
        seen_orders.append(len(server.orders))  # planned once every order is in
        ids = sorted(p.id for p in server.parcels.values())
        return {parcel_id: VEHICLES[0] for parcel_id in ids[::2]}

    transport = server.transport()
    brand_clients = {
        b: DoorstepClient("http://127.0.0.1:8000", t, transport=transport)
        for b, t in BRANDS.items()
    }
    admin = DoorstepClient("http://127.0.0.1:8000", server.admin_token, transport=transport)
    summary = seed_demo_day(
        brand_clients, admin, "hub_1", VEHICLES, DAY, 1, 30, now=NOON, plan_day=plan_day
    )
    routed = {p.barcode for p in server.parcels.values() if p.state is ParcelState.LOADED}
    assert seen_orders == [30]
    assert summary.parcels_on_routes == len(routed) == (summary.parcels + 1) // 2
    assert {p.vehicle_id for p in server.parcels.values() if p.barcode in routed} == {VEHICLES[0]}
    others = {p.state for p in server.parcels.values() if p.barcode not in routed}
    assert others == {ParcelState.SORTED}
    assert summary.scans_accepted == 2 * summary.parcels + len(routed) + 1
