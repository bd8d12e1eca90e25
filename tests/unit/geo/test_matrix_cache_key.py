from doorstep.domain.model import GeoPoint
from doorstep.geo.matrix_cache import MatrixCache

POINTS = [GeoPoint(51.5390001, -0.1426001), GeoPoint(51.5308, -0.1238)]


def test_points_within_a_tenth_of_a_metre_share_a_key() -> None:
    nudged = [GeoPoint(51.53900012, -0.14260008), POINTS[1]]
    assert MatrixCache.key("osm:x|van", POINTS) == MatrixCache.key("osm:x|van", nudged)


def test_a_moved_point_changes_the_key() -> None:
    moved = [GeoPoint(51.539002, -0.1426001), POINTS[1]]
    assert MatrixCache.key("osm:x|van", POINTS) != MatrixCache.key("osm:x|van", moved)


def test_point_order_changes_the_key() -> None:
    assert MatrixCache.key("osm:x|van", POINTS) != MatrixCache.key("osm:x|van", POINTS[::-1])


def test_provider_identity_changes_the_key() -> None:
    assert MatrixCache.key("osm:x|van|traffic=0.67", POINTS) != MatrixCache.key(
        "osm:x|van|traffic=0.9", POINTS
    )
