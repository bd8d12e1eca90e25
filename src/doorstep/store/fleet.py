"""Brands, hubs, vehicles and couriers: the operator's standing data."""

from __future__ import annotations

from sqlalchemy import select

from doorstep.domain.errors import InvalidValue
from doorstep.domain.model import (
    Brand,
    Capacity,
    Courier,
    GeoPoint,
    Hub,
    OpeningHours,
    Vehicle,
    VehicleType,
)
from doorstep.store.base import SqlRepository
from doorstep.store.crypto import seal, unseal
from doorstep.store.scoping import pk_of, scoped
from doorstep.store.tables import BrandRow, CourierRow, HubRow, VehicleRow


class SqlBrandRepository(SqlRepository):
    def add(self, brand: Brand) -> None:
        self.insert(
            BrandRow(
                public_id=brand.id, name=brand.name, colour=brand.colour, logo_sha256=brand.logo
            )
        )

    def get(self, brand_id: str) -> Brand | None:
        row = self._row(brand_id)
        return None if row is None else _brand(row)

    def list(self) -> list[Brand]:
        rows = self.session.scalars(scoped(self.principal, BrandRow).order_by(BrandRow.name))
        return [_brand(row) for row in rows]

    def save_appearance(self, brand: Brand) -> None:
        row = self._row(brand.id)
        if row is None:
            raise InvalidValue("brand_id", "no such brand")
        with self.savepoint():
            row.colour, row.logo_sha256 = brand.colour, brand.logo

    def _row(self, brand_id: str) -> BrandRow | None:
        return self.session.scalar(
            scoped(self.principal, BrandRow).where(BrandRow.public_id == brand_id)
        )


def _brand(row: BrandRow) -> Brand:
    return Brand(id=row.public_id, name=row.name, colour=row.colour, logo=row.logo_sha256)


def _hub(row: HubRow) -> Hub:
    return Hub(
        id=row.public_id,
        name=row.name,
        point=GeoPoint(row.lat, row.lon),
        address=row.address,
        opening_hours=OpeningHours(row.opens, row.closes),
    )


class SqlHubRepository(SqlRepository):
    def add(self, hub: Hub) -> None:
        self.insert(
            HubRow(
                public_id=hub.id,
                name=hub.name,
                lat=hub.point.lat,
                lon=hub.point.lon,
                address=hub.address,
                opens=hub.opening_hours.opens,
                closes=hub.opening_hours.closes,
            )
        )

    def get(self, hub_id: str) -> Hub | None:
        row = self.session.scalar(select(HubRow).where(HubRow.public_id == hub_id))
        return None if row is None else _hub(row)

    def list(self) -> list[Hub]:
        return [_hub(row) for row in self.session.scalars(select(HubRow).order_by(HubRow.name))]


def _vehicle(row: VehicleRow) -> Vehicle:
    return Vehicle(
        id=row.public_id,
        name=row.name,
        vehicle_type=VehicleType(row.vehicle_type),
        capacity=Capacity(
            parcels=row.capacity_parcels,
            weight_kg=row.capacity_weight_kg,
            volume_litres=row.capacity_volume_litres,
        ),
        hub_id=row.hub.public_id if row.hub else None,
    )


class SqlVehicleRepository(SqlRepository):
    def add(self, vehicle: Vehicle) -> None:
        hub_pk = None
        if vehicle.hub_id is not None:
            hub_pk = pk_of(self.session, self.principal, HubRow, vehicle.hub_id, "hub_id")
        self.insert(
            VehicleRow(
                public_id=vehicle.id,
                name=vehicle.name,
                vehicle_type=vehicle.vehicle_type.value,
                capacity_parcels=vehicle.capacity.parcels,
                capacity_weight_kg=vehicle.capacity.weight_kg,
                capacity_volume_litres=vehicle.capacity.volume_litres,
                hub_pk=hub_pk,
            )
        )

    def get(self, vehicle_id: str) -> Vehicle | None:
        row = self.session.scalar(select(VehicleRow).where(VehicleRow.public_id == vehicle_id))
        return None if row is None else _vehicle(row)

    def list(self) -> list[Vehicle]:
        rows = self.session.scalars(select(VehicleRow).order_by(VehicleRow.name))
        return [_vehicle(row) for row in rows]


class SqlCourierRepository(SqlRepository):
    def add(self, courier: Courier) -> None:
        vehicle_pk = None
        if courier.vehicle_id is not None:
            vehicle_pk = pk_of(
                self.session, self.principal, VehicleRow, courier.vehicle_id, "vehicle_id"
            )
        self.insert(
            CourierRow(
                public_id=courier.id,
                name=courier.name,
                phone=seal(self.cipher, courier.phone),
                vehicle_pk=vehicle_pk,
            )
        )

    def get(self, courier_id: str) -> Courier | None:
        query = scoped(self.principal, CourierRow).where(CourierRow.public_id == courier_id)
        row = self.session.scalar(query)
        return None if row is None else self._courier(row)

    def list(self) -> list[Courier]:
        rows = self.session.scalars(scoped(self.principal, CourierRow).order_by(CourierRow.name))
        return [self._courier(row) for row in rows]

    def _courier(self, row: CourierRow) -> Courier:
        return Courier(
            id=row.public_id,
            name=row.name,
            phone=unseal(self.cipher, row.phone),
            vehicle_id=row.vehicle.public_id if row.vehicle else None,
        )
