"""The packaged Camden address sample and the heuristics that built it."""

from collections import Counter

import pytest

from doorstep.sim.addresses import POSTCODE_RE, load_addresses, parse_addresses
from doorstep.sim.build_address_sample import classify, count_flats, normalise_postcode

# Bounding box of the Camden polygon in ../shared/data/osm/derived/london_boroughs.geojson.
CAMDEN_LAT = (51.5126521, 51.5730171)
CAMDEN_LON = (-0.2135374, -0.1053499)


def _osm(**tags: str) -> dict[str, str]:
    row = dict.fromkeys(("housenumber", "housename", "street", "flats", "building", "name"), "")
    return row | tags


def test_packaged_sample_loads_through_importlib_resources() -> None:
    addresses = load_addresses()
    assert len(addresses) == 3000
    assert all(a.lines and a.lines[-1].split(" ", 1)[1] for a in addresses)


def test_every_row_has_a_well_formed_uk_postcode() -> None:
    bad = [a.postcode for a in load_addresses() if not POSTCODE_RE.fullmatch(a.postcode)]
    assert bad == []


def test_every_row_lies_inside_camdens_bounding_box() -> None:
    outside = [
        a
        for a in load_addresses()
        if not (CAMDEN_LAT[0] <= a.lat <= CAMDEN_LAT[1] and CAMDEN_LON[0] <= a.lon <= CAMDEN_LON[1])
    ]
    assert outside == []


def test_every_street_line_starts_with_a_house_number_and_ends_with_the_street() -> None:
    for a in load_addresses():
        assert a.lines[-1][0].isdigit(), a
        assert a.lines[-1].endswith(a.street), a


def test_address_type_mix_is_plausible_for_camden() -> None:
    mix = Counter(a.address_type for a in load_addresses())
    total = sum(mix.values())
    assert set(mix) <= {"house", "flat", "business", "reception", "locker"}
    assert 0.3 <= mix["house"] / total <= 0.8
    assert 0.05 <= mix["flat"] / total <= 0.5
    assert 0.1 <= mix["business"] / total <= 0.4
    assert 0 < mix["reception"] / total <= 0.05


def test_parse_names_the_line_of_a_bad_coordinate() -> None:
    text = (
        "lines,postcode,lat,lon,address_type,street\n1 A Street,NW1 0AA,north,-0.1,house,A Street\n"
    )
    with pytest.raises(ValueError, match="line 2"):
        parse_addresses(text)


def test_parse_refuses_unexpected_columns() -> None:
    with pytest.raises(ValueError, match="expected columns"):
        parse_addresses("street,postcode\nA Street,NW1 0AA\n")


@pytest.mark.parametrize(
    ("flats", "expected"),
    [("1-47;49;51", 49), ("A-B", 2), ("b", 1), ("2;3", 2), ("1-2; 4-7", 6), ("Unit 7b", 1)],
)
def test_counts_flats_named_by_osm(flats: str, expected: int) -> None:
    assert count_flats(flats) == expected


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ({"building": "hotel"}, "reception"),
        ({"name": "Elmwood Hotel"}, "reception"),
        ({"building": "office", "name": "Friends House"}, "reception"),
        ({"name": "Ship Tavern"}, "business"),
        ({"building": "retail"}, "business"),
        ({"flats": "1-4"}, "flat"),
        ({"building": "apartments"}, "flat"),
        ({"building": "residential"}, "flat"),
        ({"building": "yes", "housename": "Napier House"}, "flat"),
        ({"building": "terrace"}, "house"),
        ({"building": "yes", "flats": "b"}, "house"),
    ],
)
def test_classifies_address_type_from_osm_tags(tags: dict[str, str], expected: str) -> None:
    assert classify(_osm(**tags)) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("nw5 1pb", "NW5 1PB"), ("WC1X8TY", "WC1X 8TY"), ("NW1  0AA", "NW1 0AA"), ("NW1", None)],
)
def test_normalises_postcodes_or_rejects_them(raw: str, expected: str | None) -> None:
    assert normalise_postcode(raw) == expected
