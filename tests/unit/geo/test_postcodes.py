from __future__ import annotations

from doorstep.geo.build_postcodes import compact_rows
from doorstep.geo.postcodes import PostcodeLookup, packaged_table


def test_finds_a_london_postcode_centroid_in_any_spelling() -> None:
    lookup = PostcodeLookup()
    # SOURCE.md's own check: SW1A 1AA at 51.501009, -0.141588 (here to 5 decimals).
    for spelling in ("SW1A 1AA", "sw1a1aa", " Sw1A  1aA "):
        point = lookup.centroid(spelling)
        assert point is not None
        assert abs(point.lat - 51.501009) < 1e-5 and abs(point.lon + 0.141588) < 1e-5


def test_an_unknown_or_non_london_postcode_has_no_centroid() -> None:
    lookup = PostcodeLookup()
    assert lookup.centroid("ZZ9 9ZZ") is None
    assert lookup.centroid("M1 1AE") is None  # Manchester: not in the London table


def test_the_packaged_table_stays_small_and_complete() -> None:
    assert packaged_table().stat().st_size < 2_500_000
    assert (packaged_table().parent / "LONDON_POSTCODES.md").is_file()
    assert len(PostcodeLookup()) == 181_565


def test_the_build_keeps_five_decimals_sorted_and_compact_keys() -> None:
    rows = compact_rows(
        [
            {"postcode": "NW1 9LL", "lat": "51.5412345", "lon": "-0.1456789", "ward": "x"},
            {"postcode": "E1 6AN", "lat": "51.52", "lon": "-0.07"},
        ]
    )
    assert rows == [("E16AN", "51.52000", "-0.07000"), ("NW19LL", "51.54123", "-0.14568")]
