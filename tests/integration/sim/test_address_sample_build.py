"""The packaged address sample is exactly what its build script makes from ../shared."""

import gzip
from importlib import resources
from pathlib import Path

from doorstep.sim.build_address_sample import main
from tests.shared_data import requires_shared

PACKAGED = resources.files("doorstep.sim").joinpath("data", "london_addresses.csv.gz")


def test_rebuilding_with_the_documented_seed_reproduces_the_packaged_file(tmp_path: Path) -> None:
    shared = requires_shared("data")
    out = tmp_path / "london_addresses.csv.gz"
    main(
        [
            str(shared / "osm" / "derived" / "camden_addresses.csv"),
            str(shared / "uk-postcodes" / "london_postcodes_codepoint_2014.csv.gz"),
            str(shared / "osm" / "derived" / "london_boroughs.geojson"),
            str(out),
            "--rows",
            "3000",
            "--seed",
            "20261126",
        ]
    )
    assert gzip.decompress(out.read_bytes()) == gzip.decompress(PACKAGED.read_bytes())
    assert out.read_bytes() == PACKAGED.read_bytes()
