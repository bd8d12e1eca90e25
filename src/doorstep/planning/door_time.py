"""How long a courier spends at a stop, from parking to pulling away.

Door time is often a third of a London route, so it is modelled rather than guessed flat.
The magnitudes are anchored on the only public per-parcel measurements we ship: the 2021
Amazon Last Mile Routing Research Challenge (Amazon.com and MIT CTL; Merchán et al.,
Transportation Science, doi:10.1287/trsc.2022.1173), whose planned service time per package
has a median of 55 s, p10 28 s and p90 125 s (see ``shared/data/amazon-lmrrc/SOURCE.md``).
That is US data (Los Angeles, Seattle, Chicago, Boston, Austin, 2018): kerbside parking is
easier and flats fewer than in London, so our flat and central figures sit above its median.
Every figure is a default to calibrate from the operator's own proof-of-delivery timestamps.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from doorstep.domain.errors import InvalidValue
from doorstep.domain.model import AddressType
from doorstep.domain.preferences import NEEDS_LONGER_DOOR_S
from doorstep.planning.model import AreaType, PlanningStop


def _default_base() -> dict[AddressType, int]:
    return {
        # Walk up, knock, hand over: close to the Amazon median of 55 s per package.
        AddressType.HOUSE: 60,
        # Intercom, stairs or a lift and a corridor: towards the Amazon p90 (125 s).
        AddressType.FLAT: 135,
        # A staffed reception signs for everything at once: faster than a house.
        AddressType.RECEPTION: 45,
        # A shop or office without reception: find someone, get a signature.
        AddressType.BUSINESS: 75,
        # Scan and drop, nobody to wait for: near the Amazon p10 (28 s).
        AddressType.LOCKER: 30,
    }


def _default_parking() -> dict[AreaType, int]:
    return {
        # Central London: loading bays are scarce, the courier circles or walks from a bay.
        AreaType.CENTRAL: 120,
        # Inner boroughs: usually a spot within a short walk.
        AreaType.INNER: 30,
        # Outer boroughs: park on the drive or kerb outside.
        AreaType.OUTER: 20,
    }


@dataclass(frozen=True, slots=True)
class DoorTimeParams:
    """Parameters of the door-time model; all in seconds.

    ``per_extra_parcel_s`` is small because the first parcel already paid for the walk and
    the wait at the door; the next ones only cost a scan and a hand-over (the Amazon
    per-package median falls well below the per-stop time on multi-package stops).
    """

    base_s: dict[AddressType, int] = field(default_factory=_default_base)
    parking_s: dict[AreaType, int] = field(default_factory=_default_parking)
    per_extra_parcel_s: int = 18
    # Proof of delivery (photo or signature) is taken once per stop, not per parcel.
    proof_s: int = 5
    # A recipient who said on the tracking page they need longer to reach the door (a
    # wheelchair, stairs, a baby): the courier waits that much longer before giving up.
    needs_longer_s: int = NEEDS_LONGER_DOOR_S
    # A heavy parcel takes longer to get off the vehicle and to the door (a sack truck,
    # two people, a tail lift): this much per kg above ``heavy_from_kg``, per parcel, so
    # a 30 kg box adds a minute and a 400 kg pallet about 25 minutes.
    heavy_from_kg: float = 15.0
    per_heavy_kg_s: float = 4.0

    def __post_init__(self) -> None:
        for address_type in AddressType:
            if self.base_s.get(address_type, -1) < 0:
                raise InvalidValue(f"door_time.base_s[{address_type}]", "missing or negative")
        for area in AreaType:
            if self.parking_s.get(area, -1) < 0:
                raise InvalidValue(f"door_time.parking_s[{area}]", "missing or negative")
        if self.heavy_from_kg < 0 or self.per_heavy_kg_s < 0:
            raise InvalidValue("door_time", "heavy parcel threshold and time must not be negative")
        if self.per_extra_parcel_s < 0 or self.proof_s < 0 or self.needs_longer_s < 0:
            raise InvalidValue(
                "door_time", "per-parcel, proof and extra times must not be negative"
            )


def door_time_s(stop: PlanningStop, params: DoorTimeParams) -> int:
    """Seconds at the stop: the address's own override if known, else the model; more when
    the recipient needs longer to reach the door (on top of either)."""
    longer = params.needs_longer_s if stop.needs_longer else 0
    if stop.door_time_s is not None:
        return stop.door_time_s + longer
    extra = max(0, stop.parcel_count - 1) * params.per_extra_parcel_s
    extra += round(
        sum(max(0.0, p.weight_kg - params.heavy_from_kg) for p in stop.parcels)
        * params.per_heavy_kg_s
    )
    parking = params.parking_s[stop.area]
    return parking + params.base_s[stop.address_type] + extra + params.proof_s + longer
