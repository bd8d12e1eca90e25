"""The packaged address sample is exactly what its build script makes from ../shared."""

import gzip
from importlib import resources
from pathlib import Path

from doorstep.sim.build_address_sample import main

ROOT = Path(__file__).parents[3]
# ../shared beside the clone (CI); a worktree one level deeper finds it at ../../shared.
SHARED = next(
    (p / "data" for p in (ROOT / ".." / "shared", ROOT / ".." / ".." / "shared") if p.is_dir()),
    ROOT / ".." / "shared" / "data",
)
PACKAGED = resources.files("doorstep.sim").joinpath("data", "london_addresses.csv.gz")


def test_rebuilding_with_the_documented_seed_reproduces_the_packaged_file(tmp_path: Path) -> None:
    out = tmp_path / "london_addresses.csv.gz"
    main(
        [
            str(SHARED / "osm" / "derived" / "camden_addresses.csv"),
            str(SHARED / "uk-postcodes" / "london_postcodes_codepoint_2014.csv.gz"),
            str(SHARED / "osm" / "derived" / "london_boroughs.geojson"),
            str(out),
            "--rows",
            "3000",
            "--seed",
            "20261126",
        ]
    )
    assert gzip.decompress(out.read_bytes()) == gzip.decompress(PACKAGED.read_bytes())
    assert out.read_bytes() == PACKAGED.read_bytes()
