"""Delivery policies, the returns manifest and the handover, as the API reads and writes them."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from doorstep.api.schemas.common import Day, Moment, Public, Strict, Token


class DeliveryPolicyIn(Strict):
    attempts_allowed: int = Field(3, ge=1, le=5, strict=True)
    reattempt: str = Field(
        "next_working_day", description="`next_working_day` or `customer_day`", max_length=40
    )
    hold_at_hub_days: int = Field(7, ge=1, le=30, strict=True)
    after_last_attempt: str = Field(
        "return_to_sender", description="`return_to_sender` or `hold_at_hub`", max_length=40
    )


class DeliveryPolicyPublic(Public):
    brand_id: str
    attempts_allowed: int
    reattempt: str
    hold_at_hub_days: int
    after_last_attempt: str


class ReturnLinePublic(Public):
    parcel_id: str
    barcode: str
    order_id: str
    reference: str
    recipient_name: str
    postcode: str
    state: str
    return_started_at: Moment
    reason: str
    attempts: int
    handed_over_at: Moment | None


class ReturnsManifestPublic(Public):
    brand_id: str
    brand_name: str
    date: Day
    waiting: int
    items: list[ReturnLinePublic]


class HandoverIn(Strict):
    brand_id: Token
    parcels: Annotated[list[Token], Field(min_length=1, max_length=500)]


class HandedOverPublic(Public):
    parcel_id: str
    barcode: str
    already_returned: bool


class HandoverPublic(Public):
    brand_id: str
    items: list[HandedOverPublic]
