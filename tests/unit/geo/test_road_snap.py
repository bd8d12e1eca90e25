from doorstep.domain.model import GeoPoint
from doorstep.geo.road_network import load_network
from doorstep.geo.road_snap import RoadSnapper


def test_a_position_moves_to_a_road_node_and_one_far_from_roads_is_not_shown() -> None:
    network = load_network("camden")
    snap = RoadSnapper(network)
    near = snap(GeoPoint(51.5395, -0.1430))
    assert near is not None and near != GeoPoint(51.5395, -0.1430)
    assert abs(near.lat - 51.5395) < 0.003 and abs(near.lon + 0.1430) < 0.004
    assert snap(GeoPoint(51.0, 0.5)) is None  # in Kent, far from the packaged streets
