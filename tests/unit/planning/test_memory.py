"""The memory estimate refuses what will not fit, with the figure, before any work."""

from doorstep.planning.memory import MemoryEstimate

GB = 1024**3


def test_grows_with_the_square_of_the_points_and_with_each_profile() -> None:
    small, double = MemoryEstimate(1_000, 1), MemoryEstimate(2_000, 1)
    base = MemoryEstimate(0, 1).bytes
    assert double.bytes - base == 4 * (small.bytes - base)
    assert MemoryEstimate(1_000, 3).bytes > MemoryEstimate(1_000, 2).bytes > small.bytes


def test_a_day_of_twenty_thousand_stops_on_three_profiles_is_refused_with_figures() -> None:
    refusal = MemoryEstimate(20_002, 3).refusal(23 * GB)
    assert refusal is not None
    assert "20,002 points" in refusal and "23.0 GB is available" in refusal


def test_a_london_day_fits_in_a_laptop() -> None:
    assert MemoryEstimate(2_002, 3).refusal(4 * GB) is None


def test_a_day_in_parts_is_estimated_on_its_largest_part_not_its_whole() -> None:
    from tests.unit.planning.helpers import grid_stops, problem, vehicle

    day = problem(grid_stops(100), [vehicle(f"v{k}") for k in range(5)])
    whole, parted = MemoryEstimate.of(day, 100), MemoryEstimate.of(day, 20)
    assert (whole.points, whole.parts) == (101, 1)
    assert (parted.points, parted.parts) == (21, 5)
    assert parted.bytes < whole.bytes
