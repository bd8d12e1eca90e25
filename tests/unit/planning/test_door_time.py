from dataclasses import replace

import pytest

from doorstep.domain.errors import InvalidValue
from doorstep.domain.model import AddressType
from doorstep.planning.door_time import DoorTimeParams, door_time_s
from doorstep.planning.model import AreaType, ParcelLoad
from tests.unit.planning.helpers import stop


def test_a_flat_takes_longer_than_a_house_and_a_locker_least() -> None:
    params = DoorTimeParams()
    times = {t: door_time_s(stop("s", address_type=t), params) for t in AddressType}
    assert times[AddressType.FLAT] > times[AddressType.HOUSE] > times[AddressType.RECEPTION]
    assert times[AddressType.RECEPTION] > times[AddressType.LOCKER]


def test_each_extra_parcel_adds_less_than_a_whole_visit() -> None:
    params = DoorTimeParams()
    one = stop("s")
    three = replace(one, parcels=(*one.parcels, ParcelLoad("x", 1.0), ParcelLoad("y", 1.0)))
    extra = door_time_s(three, params) - door_time_s(one, params)
    assert extra == 2 * params.per_extra_parcel_s
    assert params.per_extra_parcel_s < params.base_s[AddressType.HOUSE]


def test_central_london_parking_costs_more_than_outer_boroughs() -> None:
    params = DoorTimeParams()
    central = door_time_s(stop("s", area=AreaType.CENTRAL), params)
    outer = door_time_s(stop("s", area=AreaType.OUTER), params)
    assert central > outer


def test_an_address_override_wins_over_the_model() -> None:
    assert door_time_s(stop("s", door_time_s=400), DoorTimeParams()) == 400


def test_refuses_a_model_missing_an_address_type() -> None:
    with pytest.raises(InvalidValue, match="base_s"):
        DoorTimeParams(base_s={AddressType.HOUSE: 60})


def test_a_stop_whose_recipient_needs_longer_gets_more_time_even_with_an_override() -> None:
    params = DoorTimeParams(needs_longer_s=150)
    assert door_time_s(stop("s", needs_longer=True), params) == (
        door_time_s(stop("s"), params) + 150
    )
    assert door_time_s(stop("s", door_time_s=400, needs_longer=True), params) == 550


def test_heavy_parcels_take_longer_at_the_door_by_their_weight() -> None:
    params = DoorTimeParams()
    light = stop("s", kg=params.heavy_from_kg)
    box = stop("s", kg=params.heavy_from_kg + 15)
    pallet = stop("s", kg=400.0)
    assert door_time_s(box, params) - door_time_s(light, params) == 60
    assert door_time_s(pallet, params) - door_time_s(light, params) > 20 * 60
