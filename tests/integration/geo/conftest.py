"""Road networks for the geo tests: a hand-made grid, and the data beside the project."""

from __future__ import annotations

from pathlib import Path

import pytest

from doorstep.geo.network_build import build_network
from doorstep.geo.road_network import RoadNetwork, load_network

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def grid(tmp_path_factory: pytest.TempPathFactory) -> RoadNetwork:
    target = tmp_path_factory.mktemp("grid") / "grid.npz"
    build_network(FIXTURES / "tiny_grid.osm", target)
    return load_network(target)


@pytest.fixture(scope="session")
def camden() -> RoadNetwork:
    return load_network("camden")
