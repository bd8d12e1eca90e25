"""Hubs, vehicles and couriers."""

from __future__ import annotations

from datetime import time
from typing import Annotated, Self

from pydantic import Field, model_validator

from doorstep.api.schemas.common import (
    Latitude,
    LocalTime,
    Longitude,
    LongText,
    Public,
    Strict,
    Text,
    Token,
)
from doorstep.api.schemas.orders import Phone
from doorstep.domain.model import VehicleType


class HubCreate(Strict):
    name: Text
    address: LongText
    lat: Latitude
    lon: Longitude
    opens: LocalTime = time(6, 0)
    closes: LocalTime = time(22, 0)

    @model_validator(mode="after")
    def _closes_after_opening(self) -> Self:
        if self.closes <= self.opens:
            raise ValueError("closes must be after opens")
        return self


class HubPublic(Public):
    id: str
    name: str
    address: str
    lat: float
    lon: float
    opens: LocalTime
    closes: LocalTime


class CapacityIn(Strict):
    parcels: Annotated[int, Field(ge=0, le=10_000)]
    weight_kg: Annotated[float, Field(ge=0, le=50_000)]
    volume_litres: Annotated[float, Field(ge=0, le=100_000)]


class VehicleCreate(Strict):
    name: Text
    vehicle_type: VehicleType = VehicleType.VAN
    capacity: CapacityIn
    hub_id: Token | None = None


class VehiclePublic(Public):
    id: str
    name: str
    vehicle_type: VehicleType
    capacity: CapacityIn
    hub_id: str | None


class CourierCreate(Strict):
    name: Text
    phone: Phone | None = None
    vehicle_id: Token | None = None


class CourierPublic(Public):
    id: str
    name: str
    phone: str | None
    vehicle_id: str | None
