"""The hub's planned morning: every parcel in, sorted, loaded, and exactly three mistakes."""

import itertools
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from doorstep.domain.scan import ScanOutcome
from doorstep.sim.hub_morning import SECONDS_PER_SCAN, PlannedScan, plan_hub_morning
from doorstep.sim.scenario import DEMO_BRANDS, generate_orders
from tests.factories import MORNING

VEHICLES = ["veh_north", "veh_east", "veh_west"]
BAYS = ["A1", "A2", "B1", "B2", "C1", "C2"]
START = datetime(2026, 11, 26, 6, 0, tzinfo=ZoneInfo("Europe/London"))
KENTISH_TOWN = (51.5502, -0.1405)


def _created(count: int = 120, seed: int = 3) -> list[dict[str, Any]]:
    """Order responses as the API returns them: the payload plus parcel barcodes."""
    created = []
    for i, planned in enumerate(
        generate_orders(MORNING.date(), "Europe/London", DEMO_BRANDS, count, seed)
    ):
        parcels = [
            p | {"barcode": f"DSTEST{i:05d}{j}"} for j, p in enumerate(planned.payload["parcels"])
        ]
        created.append(planned.payload | {"parcels": parcels})
    return created


def _plan(seed: int = 9, vehicles: list[str] = VEHICLES) -> list[PlannedScan]:
    return plan_hub_morning(_created(), vehicles, BAYS, seed, start=START, hub=KENTISH_TOWN)


def _barcodes() -> set[str]:
    return {p["barcode"] for o in _created() for p in o["parcels"]}


def test_same_seed_gives_the_same_morning() -> None:
    assert _plan(seed=4) == _plan(seed=4)


def test_every_parcel_is_received_then_sorted_then_loaded() -> None:
    steps: dict[str, list[str]] = defaultdict(list)
    for scan in _plan():
        if scan.expected is ScanOutcome.ACCEPTED and not scan.retry:
            steps[scan.payload["barcode"]].append(scan.payload["kind"])
    assert set(steps) == _barcodes()
    assert all(kinds == ["receive", "sort", "load"] for kinds in steps.values())


def test_each_parcel_is_loaded_onto_the_vehicle_it_was_sorted_to() -> None:
    sorted_to: dict[str, str] = {}
    for scan in _plan():
        barcode, target = scan.payload["barcode"], scan.payload["target"]
        if scan.payload["kind"] == "sort":
            assert target["bay"] in BAYS
            sorted_to[barcode] = target["vehicle_id"]
        elif scan.payload["kind"] == "load" and scan.expected is ScanOutcome.ACCEPTED:
            assert target["vehicle_id"] == sorted_to[barcode]


def test_parcels_of_one_order_travel_together_and_every_vehicle_gets_work() -> None:
    vehicle_of = {
        s.payload["barcode"]: s.payload["target"]["vehicle_id"]
        for s in _plan()
        if s.payload["kind"] == "sort"
    }
    for order in _created():
        assert len({vehicle_of[p["barcode"]] for p in order["parcels"]}) == 1
    assert set(vehicle_of.values()) == set(VEHICLES)


def test_contains_exactly_the_three_planned_mistakes() -> None:
    plan = _plan()
    unusual = [s for s in plan if s.expected is not ScanOutcome.ACCEPTED or s.retry]
    assert Counter((s.payload["kind"], s.expected, s.retry) for s in unusual) == {
        ("receive", ScanOutcome.UNKNOWN_BARCODE, False): 1,
        ("load", ScanOutcome.REFUSED, False): 1,
        ("sort", ScanOutcome.ACCEPTED, True): 1,
    }
    stray = next(s for s in unusual if s.expected is ScanOutcome.UNKNOWN_BARCODE)
    assert stray.payload["barcode"] not in _barcodes()


def test_the_wrong_load_happens_before_the_parcel_is_loaded_where_it_belongs() -> None:
    plan = _plan()
    wrong_at = next(i for i, s in enumerate(plan) if s.expected is ScanOutcome.REFUSED)
    wrong = plan[wrong_at].payload
    right = [
        i
        for i, s in enumerate(plan)
        if s.payload["kind"] == "load"
        and s.payload["barcode"] == wrong["barcode"]
        and i != wrong_at
    ]
    assert len(right) == 1 and right[0] > wrong_at
    assert plan[right[0]].payload["target"]["vehicle_id"] != wrong["target"]["vehicle_id"]


def test_client_event_ids_are_unique_except_for_the_retry() -> None:
    plan = _plan()
    counts = Counter(s.payload["client_event_id"] for s in plan)
    repeated = [event_id for event_id, n in counts.items() if n > 1]
    retry = next(i for i, s in enumerate(plan) if s.retry)
    assert repeated == [plan[retry].payload["client_event_id"]]
    assert plan[retry].payload == plan[retry - 1].payload


def test_scan_times_move_forward_from_the_start() -> None:
    times = [datetime.fromisoformat(s.payload["scanned_at"]) for s in _plan() if not s.retry]
    assert times[0] > START and times == sorted(times)


def test_a_morning_still_running_at_not_after_ends_then_instead() -> None:
    now = START.replace(hour=0, minute=30)  # half past midnight: 06:00 is still to come
    plan = plan_hub_morning(
        _created(), VEHICLES, BAYS, 9, start=START, hub=KENTISH_TOWN, not_after=now
    )
    assert plan[-1].at == now
    assert [s.payload["barcode"] for s in plan] == [s.payload["barcode"] for s in _plan()]


def test_a_morning_already_over_at_not_after_keeps_its_start() -> None:
    later = START.replace(hour=23, minute=55)
    plan = plan_hub_morning(
        _created(), VEHICLES, BAYS, 9, start=START, hub=KENTISH_TOWN, not_after=later
    )
    assert plan == _plan()


def test_scans_stay_four_seconds_apart_across_the_clock_change() -> None:
    london = ZoneInfo("Europe/London")
    start = datetime(2026, 3, 29, 6, 0, tzinfo=london)
    just_after = datetime(2026, 3, 29, 2, 10, tzinfo=london)  # 01:00 GMT became 02:00 BST
    plan = plan_hub_morning(_created(), VEHICLES, BAYS, 9, start=start, not_after=just_after)
    times = [s.at for s in plan if not s.retry]
    assert plan[-1].at == just_after and plan[0].at < just_after - timedelta(minutes=10)
    assert {later - earlier for earlier, later in itertools.pairwise(times)} == {
        timedelta(seconds=SECONDS_PER_SCAN)
    }


def test_a_single_vehicle_morning_has_no_wrong_vehicle_mistake() -> None:
    plan = _plan(vehicles=["veh_only"])
    assert not any(s.expected is ScanOutcome.REFUSED for s in plan)
    assert sum(s.expected is ScanOutcome.UNKNOWN_BARCODE for s in plan) == 1


def test_refuses_a_morning_without_vehicles() -> None:
    with pytest.raises(ValueError, match="vehicle"):
        plan_hub_morning(_created(), [], BAYS, 1, start=START)


def test_a_dispatched_day_sorts_and_loads_each_parcel_onto_its_routes_vehicle() -> None:
    barcodes = sorted(_barcodes())
    routed = {b: VEHICLES[i % 2] for i, b in enumerate(barcodes[: len(barcodes) // 2])}
    plan = plan_hub_morning(
        _created(), VEHICLES, BAYS, 9, start=START, hub=KENTISH_TOWN, vehicle_of=routed
    )
    sorted_to = {
        s.payload["barcode"]: s.payload["target"] for s in plan if s.payload["kind"] == "sort"
    }
    loaded = {
        s.payload["barcode"]: s.payload["target"]["vehicle_id"]
        for s in plan
        if s.payload["kind"] == "load" and s.expected is ScanOutcome.ACCEPTED
    }
    assert set(sorted_to) == set(barcodes)  # every parcel is still received and sorted
    assert loaded == routed  # only the routed ones go on a van, their route's van
    assert all(sorted_to[b]["vehicle_id"] == v for b, v in routed.items())
    left = [b for b in barcodes if b not in routed]
    assert all(sorted_to[b]["vehicle_id"] is None and sorted_to[b]["bay"] in BAYS for b in left)
    wrong = next(s for s in plan if s.expected is ScanOutcome.REFUSED).payload
    assert wrong["barcode"] in routed and wrong["target"]["vehicle_id"] != routed[wrong["barcode"]]
