"""Proof of delivery: the ways a parcel may be handed over, what each must prove, and the
reasons an attempt may fail.

One home for the rules the courier app, the API and the verification all apply: a
delivery is accepted only with the evidence its method needs, plus a PIN or an age check
when the order asks for one.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from types import MappingProxyType

from doorstep.domain.errors import InvalidValue


class DeliveryMethod(StrEnum):
    RECIPIENT = "recipient"
    NEIGHBOUR = "neighbour"
    SAFE_PLACE = "safe_place"
    LETTERBOX = "letterbox"
    RECEPTION = "reception"
    LOCKER = "locker"


class FailureReason(StrEnum):
    """The one list of reasons an attempt fails; reports and the brand's policy read it."""

    RECIPIENT_NOT_HOME = "recipient_not_home"
    NO_SAFE_PLACE = "no_safe_place"
    NO_ACCESS = "no_access"
    ADDRESS_NOT_FOUND = "address_not_found"
    REFUSED = "refused"
    BUSINESS_CLOSED = "business_closed"
    UNSAFE_TO_DELIVER = "unsafe_to_deliver"
    DAMAGED = "damaged"
    OUT_OF_TIME = "out_of_time"
    VEHICLE_PROBLEM = "vehicle_problem"


FAILURE_LABELS: Mapping[FailureReason, str] = MappingProxyType(
    {
        FailureReason.RECIPIENT_NOT_HOME: "Recipient not home",
        FailureReason.NO_SAFE_PLACE: "No safe place",
        FailureReason.NO_ACCESS: "No access (code or intercom)",
        FailureReason.ADDRESS_NOT_FOUND: "Address not found",
        FailureReason.REFUSED: "Refused by recipient",
        FailureReason.BUSINESS_CLOSED: "Business closed",
        FailureReason.UNSAFE_TO_DELIVER: "Unsafe to deliver",
        FailureReason.DAMAGED: "Damaged",
        FailureReason.OUT_OF_TIME: "Out of time",
        FailureReason.VEHICLE_PROBLEM: "Vehicle problem",
    }
)

SAFE_PLACES = (
    "front porch",
    "back door",
    "garage",
    "shed",
    "behind the bins",
    "meter cupboard",
    "with the concierge",
)
"""The places a courier may pick when the recipient named none."""

_PHOTO_METHODS = frozenset(
    {
        DeliveryMethod.SAFE_PLACE,
        DeliveryMethod.LETTERBOX,
        DeliveryMethod.RECEPTION,
        DeliveryMethod.LOCKER,
    }
)
_SIGNED_METHODS = frozenset({DeliveryMethod.RECIPIENT, DeliveryMethod.NEIGHBOUR})
MAX_PHOTOS = 6


def _is_sha256(value: str) -> bool:
    return len(value) == 64 and all(c in "0123456789abcdef" for c in value)


@dataclass(frozen=True, slots=True)
class ProofRequirements:
    """What an order asks of its delivery: which methods, a PIN, a minimum age."""

    methods: frozenset[DeliveryMethod] = frozenset(DeliveryMethod)
    pin_hash: str | None = None
    minimum_age: int | None = None

    @property
    def pin_required(self) -> bool:
        return self.pin_hash is not None


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the courier recorded at the door. Files are named by their SHA-256."""

    method: DeliveryMethod
    recipient_name: str | None = None
    neighbour_name: str | None = None
    neighbour_house: str | None = None
    safe_place: str | None = None
    signature: str | None = None
    photos: tuple[str, ...] = ()
    pin: str | None = None
    date_of_birth: date | None = None
    card_number: str | None = None
    files: tuple[str, ...] = field(init=False, default=())

    def __post_init__(self) -> None:
        for sha in (*self.photos, *([self.signature] if self.signature else [])):
            if not _is_sha256(sha):
                raise InvalidValue("photos", "files are named by their lowercase SHA-256")
        if len(self.photos) > MAX_PHOTOS:
            raise InvalidValue("photos", f"at most {MAX_PHOTOS} photos")
        files = (*self.photos, *([self.signature] if self.signature else []))
        object.__setattr__(self, "files", files)


def hash_pin(pin: str, salt: str) -> str:
    """PINs are short, so salted with the order's id and stretched."""
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), salt.encode(), 50_000)
    return digest.hex()


def check_pin_format(pin: str) -> str:
    cleaned = pin.strip()
    if not (4 <= len(cleaned) <= 8 and cleaned.isdigit()):
        raise InvalidValue("pin", "must be 4 to 8 digits")
    return cleaned


def age_on(born: date, today: date) -> int:
    years = today.year - born.year
    return years - ((today.month, today.day) < (born.month, born.day))


def check_evidence(evidence: Evidence, needs: ProofRequirements, *, salt: str, today: date) -> None:
    """Refuse a delivery without the proof its method and its order need (InvalidValue)."""
    method = evidence.method
    if method not in needs.methods:
        allowed = ", ".join(sorted(m.value for m in needs.methods))
        raise InvalidValue("method", f"{method.value} is not allowed for this order ({allowed})")
    if method is DeliveryMethod.RECIPIENT and not (evidence.recipient_name or "").strip():
        raise InvalidValue("recipient_name", "the name of who took the parcel is required")
    if method is DeliveryMethod.NEIGHBOUR:
        if not (evidence.neighbour_name or "").strip():
            raise InvalidValue("neighbour_name", "the neighbour's name is required")
        if not (evidence.neighbour_house or "").strip():
            raise InvalidValue("neighbour_house", "the neighbour's house number is required")
    if method in _SIGNED_METHODS and evidence.signature is None:
        raise InvalidValue("signature", f"a signature is required for {method.value}")
    if method is DeliveryMethod.SAFE_PLACE and not (evidence.safe_place or "").strip():
        raise InvalidValue("safe_place", "say where the parcel was left")
    if method in _PHOTO_METHODS and not evidence.photos:
        raise InvalidValue("photos", f"at least one photo is required for {method.value}")
    if needs.pin_hash is not None:
        if evidence.pin is None:
            raise InvalidValue("pin", "this order needs the recipient's PIN")
        given = hash_pin(check_pin_format(evidence.pin), salt)
        if not hmac.compare_digest(given, needs.pin_hash):
            raise InvalidValue("pin", "the PIN does not match; ask the recipient again")
    if needs.minimum_age is not None:
        if evidence.date_of_birth is None:
            raise InvalidValue("date_of_birth", "check ID: this order has a minimum age")
        if age_on(evidence.date_of_birth, today) < needs.minimum_age:
            raise InvalidValue(
                "date_of_birth", f"under {needs.minimum_age}: do not hand over; fail as refused"
            )


def evidence_details(evidence: Evidence) -> dict[str, str]:
    """The evidence as a parcel event's details: the file hashes enter the hash chain."""
    details = {"method": evidence.method.value}
    for key in ("recipient_name", "neighbour_name", "neighbour_house", "safe_place"):
        value = getattr(evidence, key)
        if value:
            details[key] = value
    if evidence.card_number:
        details["card_number"] = evidence.card_number
    if evidence.signature:
        details["signature"] = evidence.signature
    if evidence.photos:
        details["photos"] = ",".join(evidence.photos)
    return details


def failure_photos(photos: Sequence[str]) -> tuple[str, ...]:
    for sha in photos:
        if not _is_sha256(sha):
            raise InvalidValue("photos", "files are named by their lowercase SHA-256")
    if len(photos) > MAX_PHOTOS:
        raise InvalidValue("photos", f"at most {MAX_PHOTOS} photos")
    return tuple(photos)
