from datetime import timedelta

from doorstep.domain.model import GeoPoint, Priority, ServiceLevel, TimeWindow
from doorstep.planning.model import ParcelLoad
from doorstep.planning.stops import ParcelRequest, group_into_stops
from tests.unit.planning.helpers import MORNING


def request(pid: str, **overrides: object) -> ParcelRequest:
    fields: dict[str, object] = {
        "parcel": ParcelLoad(pid, 2.0, 10.0),
        "point": GeoPoint(51.5301, -0.1201),
        "address_key": "12 Gate Street, London",
        "postcode": "WC2A 3HP",
    }
    return ParcelRequest(**(fields | overrides))  # type: ignore[arg-type]


def window(start_h: float, end_h: float) -> TimeWindow:
    return TimeWindow(MORNING + timedelta(hours=start_h), MORNING + timedelta(hours=end_h))


def test_parcels_to_the_same_address_share_one_stop_with_summed_load() -> None:
    stops = group_into_stops([request("a"), request("b", address_key="12 GATE STREET london")])
    assert len(stops) == 1
    assert stops[0].parcel_ids == ("a", "b")
    assert stops[0].weight_kg == 4.0 and stops[0].volume_litres == 20.0


def test_flats_at_the_same_entrance_and_postcode_share_a_stop() -> None:
    flat_1 = request("a", address_key="Flat 1, 3 Mill Lane")
    flat_2 = request("b", address_key="Flat 2, 3 Mill Lane", point=GeoPoint(51.530101, -0.120101))
    assert len(group_into_stops([flat_1, flat_2])) == 1


def test_same_coordinates_in_another_postcode_stay_separate() -> None:
    a = request("a", address_key="1 Border Road")
    b = request("b", address_key="2 Border Road", postcode="N1 9GU")
    assert len(group_into_stops([a, b])) == 2


def test_windows_are_intersected_when_they_overlap() -> None:
    stops = group_into_stops([request("a", window=window(0, 4)), request("b", window=window(2, 6))])
    assert len(stops) == 1
    assert stops[0].windows == (window(2, 4),)


def test_conflicting_windows_make_separate_visits() -> None:
    stops = group_into_stops([request("a", window=window(0, 2)), request("b", window=window(3, 5))])
    assert sorted(s.parcel_ids for s in stops) == [("a",), ("b",)]


def test_a_stop_takes_the_most_urgent_level_and_priority_of_its_parcels() -> None:
    stops = group_into_stops(
        [
            request("a"),
            request("b", service_level=ServiceLevel.SAME_DAY),
            request("c", priority=Priority.HIGH),
        ]
    )
    assert stops[0].service_level is ServiceLevel.SAME_DAY
    assert stops[0].priority is Priority.HIGH
    assert stops[0].must_serve


def test_a_heavy_parcel_is_a_visit_of_its_own_at_the_same_door() -> None:
    pallet = request("pallet", parcel=ParcelLoad("pallet", 480.0, 900.0))
    small = request("small", parcel=ParcelLoad("small", 0.7, 2.0))
    stops = group_into_stops([pallet, small])
    assert sorted(s.parcel_ids for s in stops) == [("pallet",), ("small",)]
    assert {s.point for s in stops} == {pallet.point}


def test_a_shop_shut_for_lunch_is_a_stop_with_two_windows() -> None:
    (shop,) = group_into_stops([request("a", window=window(1, 9), closed=window(5, 6))])
    assert shop.windows == (window(1, 5), window(6, 9))


def test_a_closed_period_is_kept_when_another_parcel_narrows_the_window() -> None:
    lunch = request("a", window=window(1, 9), closed=window(5, 6))
    (stop,) = group_into_stops([lunch, request("b", window=window(4, 7))])
    assert stop.windows == (window(4, 5), window(6, 7))


def test_a_window_wholly_inside_the_closed_period_is_a_visit_of_its_own() -> None:
    lunch = request("a", window=window(1, 9), closed=window(5, 6))
    stops = group_into_stops([lunch, request("b", window=window(5, 6))])
    assert sorted(s.parcel_ids for s in stops) == [("a",), ("b",)]
