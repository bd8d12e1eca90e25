"""The one builder of a planning problem, which the CLI and the API both call."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from doorstep.domain.model import Capacity, GeoPoint, VehicleType
from doorstep.planning.model import AreaType, PlanningHub, PlanningVehicle
from doorstep.services.plans.problem import BuiltProblem, ParcelToPlan, area_of, build_problem
from tests import factories

LONDON = ZoneInfo("Europe/London")
DAY = date(2026, 11, 26)
DEPART = datetime(2026, 11, 26, 8, 0, tzinfo=LONDON)
HUB = PlanningHub("hub", GeoPoint(51.5353, -0.1426))
VAN = PlanningVehicle(
    id="V1",
    vehicle_type=VehicleType.VAN,
    capacity=Capacity(50, 500, 2000),
    shift_start=DEPART,
    shift_end=DEPART.replace(hour=17),
    start_hub="hub",
    end_hub="hub",
)


def parcel(parcel_id: str, **overrides: Any) -> ParcelToPlan:
    fields: dict[str, Any] = {
        "parcel_id": parcel_id,
        "reference": f"SHOP-{parcel_id}",
        "recipient_name": "Ada Lovelace",
        "address": factories.address(),
        "weight_kg": 1.5,
    }
    return ParcelToPlan(**(fields | overrides))


def build(*parcels: ParcelToPlan) -> BuiltProblem:
    return build_problem(parcels, hubs=[HUB], vehicles=[VAN], plan_date=DAY, departure=DEPART)


def test_ec_and_wc_postcodes_park_as_central_london_and_the_rest_as_inner() -> None:
    assert area_of("WC2A 3HP") is AreaType.CENTRAL
    assert area_of("ec1v 9hx") is AreaType.CENTRAL
    assert area_of("NW1 9LL") is AreaType.INNER
    assert area_of("W1A 1AA") is AreaType.INNER
    camden = factories.address(postcode="NW1 9LL", point=GeoPoint(51.54, -0.14))
    built = build(parcel("p1"), parcel("p2", address=camden))
    assert [s.area for s in built.problem.stops] == [AreaType.CENTRAL, AreaType.INNER]


def test_a_parcel_without_a_point_is_unroutable_naming_its_postcode_and_the_rest_plans() -> None:
    lost = factories.address(lines=("1 Nowhere Lane",), postcode="ZZ9 9ZZ", point=None)
    built = build(parcel("p1"), parcel("p2", address=lost))
    assert [s.parcel_ids for s in built.problem.stops] == [("p1",)]
    (left,) = built.unplaceable
    assert (left.stop_id, left.parcel_ids, left.reason.value) == (
        "stop_p2",
        ("p2",),
        "unroutable_address",
    )
    assert left.detail is not None and "ZZ9 9ZZ" in left.detail


def test_parcels_to_one_door_share_a_stop_in_the_order_given() -> None:
    other = factories.address(
        lines=("2 High St",), postcode="NW1 9LL", point=GeoPoint(51.54, -0.14)
    )
    built = build(parcel("p1"), parcel("p2", address=other), parcel("p3"))
    assert [s.parcel_ids for s in built.problem.stops] == [("p1", "p3"), ("p2",)]
    assert built.problem.stops[0].postcode == "WC2A 3HP"


def test_the_manifest_gives_a_courier_the_reference_first_name_address_and_barcode() -> None:
    built = build(parcel("p1", barcode="DS0001", recipient_name="Ada King Lovelace"))
    line = built.manifest["p1"]
    assert (line.reference, line.barcode, line.recipient_first_name) == (
        "SHOP-p1",
        "DS0001",
        "Ada",
    )
    assert (line.address_lines, line.postcode) == (["12 Gate Street"], "WC2A 3HP")


def test_windows_levels_and_weights_reach_the_stop() -> None:
    window = factories.create_order_command().window
    built = build(parcel("p1", window=window, weight_kg=4.0, volume_litres=12.0))
    (stop,) = built.problem.stops
    assert stop.windows == (window,)
    assert (stop.weight_kg, stop.volume_litres) == (4.0, 12.0)


def test_a_recipient_who_needs_longer_gives_their_shared_stop_more_door_time() -> None:
    from doorstep.planning.door_time import DoorTimeParams, door_time_s

    params = DoorTimeParams()
    plain = build(parcel("p1"), parcel("p2")).problem.stops[0]
    longer = build(parcel("p1"), parcel("p2", needs_longer=True)).problem.stops[0]
    assert longer.needs_longer and not plain.needs_longer
    assert door_time_s(longer, params) == door_time_s(plain, params) + params.needs_longer_s
