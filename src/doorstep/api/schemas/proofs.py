"""Proof of delivery as brands read it: each attempt, its evidence and signed image links."""

from __future__ import annotations

from datetime import datetime

from doorstep.api.schemas.common import Public


class PositionPublic(Public):
    lat: float
    lon: float
    accuracy_m: float | None


class ImageLink(Public):
    sha256: str
    url: str  # the display copy: long side 1,600 px, no EXIF
    thumbnail_url: str
    original_url: str | None  # office staff only: the file as taken, whose hash is the proof
    expires_at: datetime


class AttemptPublic(Public):
    parcel_ids: list[str]
    outcome: str  # delivered or failed
    method: str | None
    reason: str | None
    recipient_name: str | None
    neighbour_name: str | None
    neighbour_house: str | None
    safe_place: str | None
    card_number: str | None
    note: str | None
    pin_checked: bool
    courier_id: str
    at: datetime  # when the server received it
    device_time: datetime  # when the courier's phone says it happened
    position: PositionPublic | None
    distance_from_address_m: int | None
    geofence_mismatch: bool
    photos: list[ImageLink]
    signature: ImageLink | None


class OrderProofPublic(Public):
    order_id: str
    reference: str
    status: str
    attempts: list[AttemptPublic]
