"""The demo day's orders: deterministic, varied, and shaped exactly like POST /v1/orders."""

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from doorstep.sim.addresses import POSTCODE_RE
from doorstep.sim.scenario import DEMO_BRANDS, BrandKind, PlannedOrder, generate_orders

DAY = date(2026, 11, 26)
LONDON = ZoneInfo("Europe/London")
ORDER_KEYS = {
    "reference", "brand_id", "recipient", "address", "service_level", "window", "priority",
    "hub_id", "parcels", "safe_place", "minimum_age", "delivery_pin",
}  # fmt: skip
ADDRESS_KEYS = {
    "lines", "postcode", "city", "lat", "lon", "address_type", "access_notes", "access_code",
}  # fmt: skip


def _orders(count: int = 400, seed: int = 11, day: date = DAY) -> list[PlannedOrder]:
    return generate_orders(day, "Europe/London", DEMO_BRANDS, count, seed)


def _instant(text: str) -> datetime:
    assert text.endswith("Z"), text
    return datetime.fromisoformat(text).astimezone(UTC)


def _assert_matches_contract(payload: dict[str, Any], day: date) -> None:
    assert set(payload) == ORDER_KEYS
    assert isinstance(payload["reference"], str) and payload["reference"]
    assert payload["brand_id"] is None and payload["hub_id"] is None
    recipient = payload["recipient"]
    assert isinstance(recipient["name"], str) and recipient["name"].strip()
    phone = recipient["phone"]
    assert phone is None or (phone[0] == "+" and 447700900000 <= int(phone[1:]) <= 447700900999)
    assert recipient["email"] is None or recipient["email"].split("@")[1].startswith("example.")
    address = payload["address"]
    assert set(address) == ADDRESS_KEYS
    assert address["lines"] and all(isinstance(line, str) and line for line in address["lines"])
    assert POSTCODE_RE.fullmatch(address["postcode"])
    assert isinstance(address["lat"], float) and isinstance(address["lon"], float)
    assert address["address_type"] in {"house", "flat", "business", "reception", "locker"}
    assert payload["service_level"] in {"same_day", "next_day", "scheduled"}
    assert payload["priority"] in {"normal", "high"}
    window = payload["window"]
    if window is not None:
        start, end = _instant(window["start"]), _instant(window["end"])
        day_start = datetime.combine(day, datetime.min.time(), tzinfo=LONDON)
        assert day_start < start < end
        assert end - start in {timedelta(hours=2), timedelta(hours=4)}
        assert start.astimezone(LONDON).hour >= 8 and end.astimezone(LONDON).hour <= 20
    assert 1 <= len(payload["parcels"]) <= 3
    for parcel in payload["parcels"]:
        assert set(parcel) == {"weight_kg", "length_cm", "width_cm", "height_cm"}
        assert all(isinstance(v, int | float) and v > 0 for v in parcel.values())


def test_same_seed_gives_the_same_day() -> None:
    assert _orders(seed=5) == _orders(seed=5)


def test_another_seed_gives_another_day() -> None:
    assert [o.payload for o in _orders(seed=5)] != [o.payload for o in _orders(seed=6)]


@pytest.mark.parametrize("day", [DAY, date(2026, 3, 29), date(2026, 7, 1)])
def test_every_payload_matches_the_order_contract(day: date) -> None:
    for order in _orders(day=day):
        _assert_matches_contract(order.payload, day)


def test_references_and_idempotency_keys_are_unique() -> None:
    orders = _orders()
    assert len({o.payload["reference"] for o in orders}) == len(orders)
    assert len({o.idempotency_key for o in orders}) == len(orders)


def test_service_levels_are_mostly_next_day_with_some_same_day_and_a_few_scheduled() -> None:
    mix = Counter(o.payload["service_level"] for o in _orders(1000))
    assert mix["next_day"] > 600
    assert 80 < mix["same_day"] < 300
    assert 20 < mix["scheduled"] < 150


def test_about_four_in_ten_orders_have_no_window_and_scheduled_ones_always_do() -> None:
    orders = _orders(1000)
    without = [o for o in orders if o.payload["window"] is None]
    assert 0.3 < len(without) / len(orders) < 0.45
    assert all(o.payload["service_level"] != "scheduled" for o in without)


def test_same_day_windows_start_after_noon() -> None:
    for order in _orders(1000):
        if order.payload["service_level"] == "same_day" and order.payload["window"]:
            assert _instant(order.payload["window"]["start"]).astimezone(LONDON).hour >= 12


def test_windows_are_local_hours_across_the_summer_time_change() -> None:
    summer = [o for o in _orders(day=date(2026, 7, 1)) if o.payload["window"]]
    assert min(_instant(o.payload["window"]["start"]).hour for o in summer) == 7  # 08:00 BST


def test_parcels_fit_each_kind_of_brand() -> None:
    heaviest: dict[BrandKind, float] = {}
    for order in _orders(1000):
        weight = max(p["weight_kg"] for p in order.payload["parcels"])
        heaviest[order.brand.kind] = max(heaviest.get(order.brand.kind, 0.0), weight)
        if order.brand.kind is BrandKind.FASHION:
            assert all(p["height_cm"] <= 13 for p in order.payload["parcels"])
    assert heaviest[BrandKind.COFFEE] <= 2.2 < heaviest[BrandKind.HOMEWARE]
    assert heaviest[BrandKind.FASHION] <= 1.6


def test_some_orders_are_high_priority_and_some_flats_have_access_notes() -> None:
    orders = _orders(1000)
    assert 10 < sum(o.payload["priority"] == "high" for o in orders) < 100
    flats = [o.payload["address"] for o in orders if o.payload["address"]["address_type"] == "flat"]
    assert all(a["lines"][0].startswith("Flat ") for a in flats)
    assert 0 < sum(a["access_notes"] is not None for a in flats) < len(flats)
    assert any(a["access_code"] is not None for a in flats)


def test_every_demo_brand_sends_orders() -> None:
    assert {o.brand for o in _orders()} == set(DEMO_BRANDS)


def test_refuses_a_negative_count() -> None:
    with pytest.raises(ValueError, match="count"):
        generate_orders(DAY, "Europe/London", DEMO_BRANDS, -1, 1)


def test_a_few_orders_ask_for_a_safe_place_an_age_check_or_a_pin() -> None:
    orders = _orders(1000)
    placed = [o.payload for o in orders if o.payload["safe_place"] is not None]
    assert placed and all(p["address"]["address_type"] == "house" for p in placed)
    aged = [o for o in orders if o.payload["minimum_age"] is not None]
    assert aged and {o.brand.kind for o in aged} == {BrandKind.HOMEWARE}
    assert {o.payload["minimum_age"] for o in aged} == {18}
    pins = [o for o in orders if o.payload["delivery_pin"] is not None]
    assert pins and {o.brand.kind for o in pins} == {BrandKind.FASHION}
    # The demo's PIN is findable: the last four digits of the reference.
    assert all(o.payload["delivery_pin"] == o.payload["reference"][-4:] for o in pins)
    assert all(o.payload["delivery_pin"].isdigit() for o in pins)
