"""What a stop is worth to the solver: promises first, and no prize without a bound."""

from doorstep.domain.model import ServiceLevel
from doorstep.planning.model import ParcelLoad
from doorstep.planning.pyvrp_model import PRIZE_PARCELS, Prizes
from doorstep.planning.search import PenaltyBounds
from tests.unit.planning.helpers import problem, stop, vehicle


def parcels(sid: str, count: int) -> tuple[ParcelLoad, ...]:
    return tuple(ParcelLoad(f"{sid}_{k}", 1.0, 2.0) for k in range(count))


def test_a_locker_bank_is_worth_no_more_than_a_hundred_parcels() -> None:
    locker = stop("locker", parcels=parcels("locker", 400))
    office = stop("office", parcels=parcels("office", PRIZE_PARCELS))
    pile = stop("pile", parcels=parcels("pile", 900), service_level=ServiceLevel.NEXT_DAY)
    day = problem([locker, office, pile], [vehicle()])
    prizes = Prizes.of(day, range(3), deferral=50.0, promise=500.0)
    assert prizes.of_stop(locker) == prizes.of_stop(office)
    assert prizes.of_stop(stop("one")) > prizes.of_stop(pile)  # a promise still comes first
    bounds = PenaltyBounds.scaled(unit_cost=1_000_000, largest_prize=prizes.of_stop(locker))
    # A second late may outweigh the largest prize, and the ceiling stays below 2^63 even
    # times a whole day of lateness on each of a hundred routes.
    assert bounds.high >= prizes.of_stop(locker)
    assert bounds.high * 86_400 * 100 < 2**63
