import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from doorstep.cli import app
from doorstep.geo.network_build import ATTRIBUTION, NetworkBuildError, build_network
from doorstep.geo.road_network import UnknownNetwork, load_network, packaged_networks
from tests.integration.geo.conftest import FIXTURES
from tests.shared_data import requires_shared


def test_builds_from_osm_xml_with_metadata_and_attribution(tmp_path: Path) -> None:
    metadata = build_network(FIXTURES / "tiny_grid.osm", tmp_path / "grid.npz")
    written = json.loads((tmp_path / "grid.json").read_text(encoding="utf-8"))
    assert written == metadata
    assert written["attribution"] == ATTRIBUTION
    assert written["source_file"] == "tiny_grid.osm"
    assert written["osm_timestamp"] is None  # the fixture carries no timestamps
    assert set(written["counts"]) == {"van", "e_cargo_bike", "on_foot"}
    assert written["van_turn_restrictions"] == 1


def test_long_segments_get_nodes_every_25_metres_or_less(tmp_path: Path) -> None:
    metadata = build_network(FIXTURES / "tiny_grid.osm", tmp_path / "grid.npz")
    with np.load(tmp_path / "grid.npz") as arrays:
        lengths = arrays["van/length_m"]
    assert lengths.max() <= 25.0
    # The fixture's streets add up to about 900 m of van road, each way about 100 m.
    assert metadata["counts"]["van"]["nodes"] > 30


def test_same_input_gives_the_same_network_id(tmp_path: Path) -> None:
    first = build_network(FIXTURES / "tiny_grid.osm", tmp_path / "a.npz")
    second = build_network(FIXTURES / "tiny_grid.osm", tmp_path / "b.npz")
    assert first["network_id"] == second["network_id"]


def test_builds_from_a_pbf_extract(tmp_path: Path) -> None:
    extract = requires_shared("data", "osm", "city-of-london-2020.osm.pbf")
    metadata = build_network(extract, tmp_path / "city")
    network = load_network(tmp_path / "city.npz")
    assert metadata["osm_timestamp"].startswith("2020-07")
    assert metadata["counts"]["van"]["nodes"] > 1000
    assert network.lat.min() > 51.4 and network.lat.max() < 51.6


def test_refuses_a_file_that_is_not_osm(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.osm"
    bogus.write_text("hello", encoding="utf-8")
    with pytest.raises(NetworkBuildError, match=r"notes\.osm"):
        build_network(bogus, tmp_path / "out.npz")


def test_refuses_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(NetworkBuildError, match="no such file"):
        build_network(tmp_path / "absent.osm.pbf", tmp_path / "out.npz")


def test_unknown_network_name_lists_the_packaged_ones() -> None:
    with pytest.raises(UnknownNetwork, match="camden"):
        load_network("atlantis")


def test_camden_is_packaged_with_its_attribution() -> None:
    assert "camden" in packaged_networks()
    network = load_network("camden")
    assert network.attribution == ATTRIBUTION
    assert network.metadata["source_file"] == "camden.osm.pbf"
    assert np.isclose(network.lat.mean(), 51.54, atol=0.03)


def test_build_network_command_writes_the_files(tmp_path: Path) -> None:
    out = tmp_path / "mine.npz"
    result = CliRunner().invoke(
        app, ["geo", "build-network", str(FIXTURES / "tiny_grid.osm"), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert out.is_file() and out.with_suffix(".json").is_file()
    assert "OpenStreetMap contributors" in result.output


def test_build_network_command_explains_a_bad_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["geo", "build-network", str(tmp_path / "nope.pbf"), "--out", str(tmp_path / "x")]
    )
    assert result.exit_code == 1
    assert "no such file" in result.output
