"""A demo day's orders: pure and seeded, so the same seed always tells the same story.

The payloads are exactly the body of ``POST /v1/orders`` (docs/api.md, "Orders"); the demo
sends them over HTTP as the brands would. The morning's hub scans are planned by
:func:`plan_hub_morning` (in :mod:`doorstep.sim.hub_morning`, re-exported here) from the
orders the API created.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any, Final, TypeVar
from zoneinfo import ZoneInfo

from doorstep.domain.proof import SAFE_PLACES
from doorstep.sim import people
from doorstep.sim.addresses import DemoAddress, load_addresses
from doorstep.sim.hub_morning import PlannedScan, plan_hub_morning

__all__ = [
    "DEMO_BRANDS",
    "BrandKind",
    "DemoBrand",
    "PlannedOrder",
    "PlannedScan",
    "generate_orders",
    "plan_hub_morning",
]


class BrandKind(StrEnum):
    COFFEE = "coffee"
    FASHION = "fashion"
    HOMEWARE = "homeware"


@dataclass(frozen=True, slots=True)
class DemoBrand:
    name: str
    kind: BrandKind
    reference_prefix: str
    share: float  # relative weight of this brand in the day's orders


# Fictional brands with a London accent; any likeness to a real business is accidental.
DEMO_BRANDS: Final = (
    DemoBrand("Kentish Kettle Coffee", BrandKind.COFFEE, "KKC", 0.45),
    DemoBrand("Tufnell Threads", BrandKind.FASHION, "TUF", 0.35),
    DemoBrand("Heathside Home & Hearth", BrandKind.HOMEWARE, "HHH", 0.20),
)


@dataclass(frozen=True, slots=True)
class PackShape:
    """One kind of pack a brand ships: ranges of weight (kg) and sides (cm)."""

    weight_kg: tuple[float, float]
    length_cm: tuple[int, int]
    width_cm: tuple[int, int]
    height_cm: tuple[int, int]


# Coffee: bags of beans in small boxes. Fashion: soft mailing bags, now and then a shoe
# box. Homeware: cartons from a cushion to a flat-packed side table.
PACKS: Final[dict[BrandKind, tuple[PackShape, ...]]] = {
    BrandKind.COFFEE: (
        PackShape((0.3, 0.6), (20, 24), (14, 16), (6, 9)),
        PackShape((1.0, 2.2), (28, 32), (20, 22), (10, 14)),
    ),
    BrandKind.FASHION: (
        PackShape((0.2, 0.9), (30, 40), (22, 30), (2, 6)),
        PackShape((0.9, 1.6), (32, 36), (20, 23), (11, 13)),
    ),
    BrandKind.HOMEWARE: (
        PackShape((1.5, 4.0), (40, 50), (30, 40), (20, 30)),
        PackShape((6.0, 18.0), (60, 90), (40, 60), (10, 40)),
    ),
}
SERVICE_LEVELS: Final = (("next_day", 0.75), ("same_day", 0.17), ("scheduled", 0.08))
PARCEL_COUNTS: Final = ((1, 0.70), (2, 0.22), (3, 0.08))
NO_WINDOW_SHARE: Final = 0.4
HIGH_PRIORITY_SHARE: Final = 0.05
DAY_OPENS, DAY_CLOSES = 8, 20  # local hours between which windows fall
SAME_DAY_EARLIEST = 12  # same-day orders come in during the morning
FLAT_NOTES: Final = (
    "Buzzer {flat}, ring twice",
    "Leave with the concierge if no answer",
    "Entrance round the side, top bell",
    "Lift is out of order, please bring it up",
    "Please do not leave in the communal hall",
)
BUSINESS_NOTES: Final = (
    "Goods in at the rear",
    "Closed 13:00-14:00 for lunch",
    "Ask for the manager",
)
RECEPTION_NOTE: Final = "Hand to the front desk"
SAFE_PLACE_SHARE: Final = 0.25  # of houses: the recipient named where to leave it
AGE_CHECK_SHARE: Final = 0.12  # of homeware orders: kitchen knives, 18 and over
PIN_SHARE: Final = 0.06  # of fashion orders: the pricier ones ask for a PIN
DEMO_PIN_DIGITS: Final = 4
"""A demo order's PIN is the last four digits of its reference, so whoever tries the
demo's courier app can find it (a real brand's PIN reaches only the recipient)."""


@dataclass(frozen=True, slots=True)
class PlannedOrder:
    """An order to send: who sends it, the request body, and its idempotency key."""

    brand: DemoBrand
    payload: dict[str, Any]
    idempotency_key: str


def generate_orders(
    day: date,
    tz: str,
    brands: Sequence[DemoBrand],
    count: int,
    seed: int,
    *,
    hub_id: str | None = None,
    addresses: Sequence[DemoAddress] | None = None,
) -> list[PlannedOrder]:
    """``count`` orders for delivery on ``day`` (local time in ``tz``), the same for a seed.

    Idempotency keys derive from day, seed and position, so sending the same scenario
    twice to the same server creates each order once.
    """
    if count < 0:
        raise ValueError("count must be 0 or more")
    if not brands:
        raise ValueError("brands must not be empty")
    zone = ZoneInfo(tz)
    rng = random.Random(seed)
    pool = addresses if addresses is not None else load_addresses()
    serial = dict.fromkeys((b.reference_prefix for b in brands), 1000)
    planned = []
    for i in range(count):
        brand = rng.choices(brands, weights=[b.share for b in brands])[0]
        serial[brand.reference_prefix] += 1
        reference = f"{brand.reference_prefix}-{day:%y%m%d}-{serial[brand.reference_prefix]}"
        payload = _order(rng, brand, reference, rng.choice(pool), day, zone, hub_id)
        # Its own generator, so the rest of the day is the same as before proofs existed.
        payload |= _proof(random.Random(f"proof-{seed}-{i}"), brand, payload)
        planned.append(PlannedOrder(brand, payload, f"demo-{day.isoformat()}-{seed}-{i:05d}"))
    return planned


def _order(
    rng: random.Random,
    brand: DemoBrand,
    reference: str,
    where: DemoAddress,
    day: date,
    zone: ZoneInfo,
    hub_id: str | None,
) -> dict[str, Any]:
    service_level = _pick(rng, SERVICE_LEVELS)
    name = people.recipient_name(rng)
    return {
        "reference": reference,
        "brand_id": None,
        "recipient": {
            "name": name,
            "phone": people.drama_mobile(rng) if rng.random() < 0.9 else None,
            "email": people.email_for(name, rng) if rng.random() < 0.8 else None,
        },
        "address": _address(rng, where),
        "service_level": service_level,
        "window": _window(rng, service_level, day, zone),
        "priority": "high" if rng.random() < HIGH_PRIORITY_SHARE else "normal",
        "hub_id": hub_id,
        "parcels": [_parcel(rng, brand.kind) for _ in range(_pick(rng, PARCEL_COUNTS))],
    }


def _proof(rng: random.Random, brand: DemoBrand, payload: dict[str, Any]) -> dict[str, Any]:
    """What a few orders ask of the delivery: a safe place, an age check, a PIN."""
    house = payload["address"]["address_type"] == "house"
    safe_place = rng.choice(SAFE_PLACES) if house and rng.random() < SAFE_PLACE_SHARE else None
    age_check = brand.kind is BrandKind.HOMEWARE and rng.random() < AGE_CHECK_SHARE
    pin = brand.kind is BrandKind.FASHION and rng.random() < PIN_SHARE
    return {
        "safe_place": safe_place,
        "minimum_age": 18 if age_check else None,
        "delivery_pin": payload["reference"][-DEMO_PIN_DIGITS:] if pin else None,
    }


T = TypeVar("T")


def _pick(rng: random.Random, weighted: Sequence[tuple[T, float]]) -> T:
    values = [value for value, _ in weighted]
    return rng.choices(values, weights=[weight for _, weight in weighted])[0]


def _address(rng: random.Random, where: DemoAddress) -> dict[str, Any]:
    lines = list(where.lines)
    notes: str | None = None
    code: str | None = None
    if where.address_type == "flat":
        flat = rng.randint(1, 24)
        lines.insert(0, f"Flat {flat}")
        if rng.random() < 0.45:
            notes = rng.choice(FLAT_NOTES).format(flat=flat)
        if rng.random() < 0.15:
            code = f"{rng.randrange(10_000):04d}"
    elif where.address_type == "business" and rng.random() < 0.2:
        notes = rng.choice(BUSINESS_NOTES)
    elif where.address_type == "reception":
        notes = RECEPTION_NOTE
    return {
        "lines": lines,
        "postcode": where.postcode,
        "city": "London",
        "lat": where.lat,
        "lon": where.lon,
        "address_type": where.address_type,
        "access_notes": notes,
        "access_code": code,
    }


def _window(
    rng: random.Random, service_level: str, day: date, zone: ZoneInfo
) -> dict[str, str] | None:
    """A 2- or 4-hour promise on ``day``; scheduled orders always have one."""
    if service_level != "scheduled" and rng.random() < NO_WINDOW_SHARE:
        return None
    hours = rng.choice((2, 4))
    earliest = SAME_DAY_EARLIEST if service_level == "same_day" else DAY_OPENS
    start_hour = rng.randint(earliest, DAY_CLOSES - hours)
    start = datetime.combine(day, time(start_hour), tzinfo=zone)
    end = start + timedelta(hours=hours)
    return {"start": _utc(start), "end": _utc(end)}


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parcel(rng: random.Random, kind: BrandKind) -> dict[str, float]:
    shapes = PACKS[kind]
    shape = shapes[0] if rng.random() < 0.75 else shapes[1]
    return {
        "weight_kg": round(rng.uniform(*shape.weight_kg), 2),
        "length_cm": rng.randint(*shape.length_cm),
        "width_cm": rng.randint(*shape.width_cm),
        "height_cm": rng.randint(*shape.height_cm),
    }
