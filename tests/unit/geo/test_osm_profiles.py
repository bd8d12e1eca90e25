import pytest

from doorstep.geo.osm_profiles import (
    MPH,
    VAN_LIMIT_SHARE,
    e_cargo_bike,
    on_foot,
    parse_maxspeed,
    van,
)


@pytest.mark.parametrize(
    ("value", "kmh"),
    [("20 mph", 20 * MPH), ("30mph", 30 * MPH), ("50", 50.0), ("40 km/h", 40.0)],
)
def test_parses_uk_and_metric_speed_limits(value: str, kmh: float) -> None:
    assert parse_maxspeed(value) == pytest.approx(kmh)


@pytest.mark.parametrize("value", [None, "", "signals", "none", "fast", "0"])
def test_unparseable_speed_limits_give_none(value: str | None) -> None:
    assert parse_maxspeed(value) is None


def test_national_speed_limit_names_are_understood() -> None:
    assert parse_maxspeed("GB:nsl_single") == pytest.approx(60 * MPH)


def test_van_speed_is_a_share_of_the_limit() -> None:
    way = van({"highway": "residential", "maxspeed": "20 mph"})
    assert way is not None
    assert way.speed_kmh == pytest.approx(20 * MPH * VAN_LIMIT_SHARE)


def test_van_without_limit_uses_the_road_class() -> None:
    primary = van({"highway": "primary"})
    residential = van({"highway": "residential"})
    assert primary is not None and residential is not None
    assert primary.speed_kmh > residential.speed_kmh


@pytest.mark.parametrize(
    ("tags", "forward", "backward"),
    [
        ({"oneway": "yes"}, True, False),
        ({"oneway": "-1"}, False, True),
        ({"junction": "roundabout"}, True, False),
        ({"junction": "roundabout", "oneway": "no"}, True, True),
        ({}, True, True),
    ],
)
def test_van_follows_one_way_rules(tags: dict[str, str], forward: bool, backward: bool) -> None:
    way = van({"highway": "residential", **tags})
    assert way is not None
    assert (way.forward, way.backward) == (forward, backward)


@pytest.mark.parametrize(
    "tags",
    [
        {"highway": "footway"},
        {"highway": "cycleway"},
        {"highway": "residential", "access": "private"},
        {"highway": "service", "motor_vehicle": "no"},
        {"highway": "construction"},
        {"highway": "pedestrian"},
    ],
)
def test_van_keeps_off_ways_it_may_not_use(tags: dict[str, str]) -> None:
    assert van(tags) is None


def test_van_may_deliver_on_a_destination_only_street() -> None:
    assert van({"highway": "residential", "access": "destination"}) is not None


def test_bike_may_ride_against_a_one_way_with_contraflow() -> None:
    way = e_cargo_bike({"highway": "residential", "oneway": "yes", "oneway:bicycle": "no"})
    assert way is not None and way.backward


def test_bike_respects_a_plain_one_way() -> None:
    way = e_cargo_bike({"highway": "residential", "oneway": "yes"})
    assert way is not None and not way.backward


@pytest.mark.parametrize(
    ("tags", "allowed"),
    [
        ({"highway": "cycleway"}, True),
        ({"highway": "footway"}, False),
        ({"highway": "footway", "bicycle": "yes"}, True),
        ({"highway": "path", "bicycle": "designated"}, True),
        ({"highway": "motorway"}, False),
        ({"highway": "trunk"}, True),
        ({"highway": "trunk", "bicycle": "no"}, False),
        ({"highway": "steps"}, False),
        ({"highway": "bridleway"}, True),
    ],
)
def test_bike_rides_where_cycling_is_allowed(tags: dict[str, str], allowed: bool) -> None:
    assert (e_cargo_bike(tags) is not None) == allowed


def test_walking_ignores_one_way_streets() -> None:
    way = on_foot({"highway": "residential", "oneway": "yes"})
    assert way is not None and way.forward and way.backward


@pytest.mark.parametrize(
    ("tags", "allowed"),
    [
        ({"highway": "footway"}, True),
        ({"highway": "steps"}, True),
        ({"highway": "primary"}, True),
        ({"highway": "motorway"}, False),
        ({"highway": "footway", "foot": "private"}, False),
        ({"highway": "cycleway"}, False),
        ({"highway": "cycleway", "foot": "designated"}, True),
    ],
)
def test_walks_where_people_may_walk(tags: dict[str, str], allowed: bool) -> None:
    assert (on_foot(tags) is not None) == allowed


def test_steps_are_slower_than_a_footway() -> None:
    steps, footway = on_foot({"highway": "steps"}), on_foot({"highway": "footway"})
    assert steps is not None and footway is not None
    assert steps.speed_kmh < footway.speed_kmh
