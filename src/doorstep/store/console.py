"""The console's reads (:class:`~doorstep.services.ports.ConsoleReads`).

The Today page shows every route of a day at once (60 routes, 2,000 stops in London), and
re-reads one route on every stop event: so it reads plain columns, one statement per kind
(routes, stops, latest announced windows, predictions, positions), each limited by the
same subquery of the day's routes, never one statement per route or stop, and never
builds the route aggregates. Scoped like routes are (office staff see all).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select

from doorstep.domain.model import GeoPoint
from doorstep.services.ports import ConsoleDayFacts, ConsolePosition, ConsoleRoute, ConsoleStop
from doorstep.store.base import SqlRepository
from doorstep.store.scoping import visible
from doorstep.store.tables import (
    CourierPingRow,
    CourierRow,
    EtaAnnouncementRow,
    EtaRouteStateRow,
    HubRow,
    RouteRow,
    RouteStopRow,
    VehicleRow,
)


class SqlConsoleReads(SqlRepository):
    def day(
        self,
        route_date: date,
        *,
        hub_id: str | None = None,
        route_id: str | None = None,
        positions_since: datetime,
    ) -> ConsoleDayFacts:
        conditions = self._conditions(route_date, hub_id, route_id)
        day_routes = select(RouteRow.pk).where(*conditions).scalar_subquery()
        routes = self._routes(conditions)
        return ConsoleDayFacts(
            routes=routes,
            stops=self._stops(day_routes) if routes else (),
            predictions=self._predictions(day_routes) if routes else {},
            positions=self._positions(conditions, positions_since) if routes else {},
        )

    def started_route(self, courier_id: str) -> str | None:
        query = (
            select(RouteRow.public_id)
            .join(CourierRow, CourierRow.pk == RouteRow.courier_pk)
            .where(CourierRow.public_id == courier_id, RouteRow.state == "started")
            .order_by(RouteRow.pk.desc())
            .limit(1)
        )
        condition = visible(self.principal, RouteRow)
        if condition is not None:
            query = query.where(condition)
        found = self.session.scalar(query)
        return None if found is None else str(found)

    def _conditions(
        self, route_date: date, hub_id: str | None, route_id: str | None
    ) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = [RouteRow.route_date == route_date]
        if hub_id is not None:
            hub = select(HubRow.pk).where(HubRow.public_id == hub_id).scalar_subquery()
            conditions.append(RouteRow.hub_pk == hub)
        if route_id is not None:
            conditions.append(RouteRow.public_id == route_id)
        condition = visible(self.principal, RouteRow)
        if condition is not None:
            conditions.append(condition)
        return conditions

    def _routes(self, conditions: list[ColumnElement[bool]]) -> tuple[ConsoleRoute, ...]:
        query = (
            select(
                RouteRow.public_id,
                HubRow.public_id,
                CourierRow.public_id,
                CourierRow.name,
                VehicleRow.public_id,
                VehicleRow.name,
                VehicleRow.vehicle_type,
                RouteRow.state,
                RouteRow.started_at,
                RouteRow.finished_at,
            )
            .join(HubRow, HubRow.pk == RouteRow.hub_pk)
            .join(CourierRow, CourierRow.pk == RouteRow.courier_pk)
            .join(VehicleRow, VehicleRow.pk == RouteRow.vehicle_pk)
            .where(*conditions)
            .order_by(RouteRow.pk)
        )
        return tuple(
            ConsoleRoute(
                route_id=r[0],
                hub_id=r[1],
                courier_id=r[2],
                courier_name=r[3],
                vehicle_id=r[4],
                vehicle_name=r[5],
                vehicle_type=r[6],
                state=r[7],
                started_at=r[8],
                finished_at=r[9],
            )
            for r in self.session.execute(query)
        )

    def _stops(self, day_routes: Any) -> tuple[ConsoleStop, ...]:
        latest = (
            select(func.max(EtaAnnouncementRow.pk).label("pk"))
            .where(EtaAnnouncementRow.route_pk.in_(day_routes))
            .group_by(EtaAnnouncementRow.stop_pk)
            .subquery()
        )
        announced = (
            select(EtaAnnouncementRow.stop_pk, EtaAnnouncementRow.window_end)
            .join(latest, latest.c.pk == EtaAnnouncementRow.pk)
            .subquery()
        )
        query = (
            select(
                RouteStopRow.public_id,
                RouteRow.public_id,
                RouteStopRow.sequence,
                RouteStopRow.state,
                RouteStopRow.lat,
                RouteStopRow.lon,
                RouteStopRow.postcode,
                RouteStopRow.parcel_ids,
                RouteStopRow.planned_arrival,
                RouteStopRow.window_start,
                RouteStopRow.window_end,
                announced.c.window_end,
                RouteStopRow.done_at,
            )
            .join(RouteRow, RouteRow.pk == RouteStopRow.route_pk)
            .outerjoin(announced, announced.c.stop_pk == RouteStopRow.pk)
            .where(RouteStopRow.route_pk.in_(day_routes))
            .order_by(RouteStopRow.route_pk, RouteStopRow.sequence)
        )
        return tuple(
            ConsoleStop(
                stop_id=stop_id,
                route_id=route_id,
                sequence=sequence,
                state=state,
                point=GeoPoint(lat, lon),
                postcode=postcode,
                parcel_ids=tuple(parcel_ids),
                planned_arrival=planned,
                window=(start, end) if start is not None and end is not None else None,
                announced_end=announced_end,
                done_at=done_at,
            )
            for (
                stop_id,
                route_id,
                sequence,
                state,
                lat,
                lon,
                postcode,
                parcel_ids,
                planned,
                start,
                end,
                announced_end,
                done_at,
            ) in self.session.execute(query)
        )

    def _predictions(self, day_routes: Any) -> dict[str, datetime]:
        query = select(EtaRouteStateRow.predictions).where(
            EtaRouteStateRow.route_pk.in_(day_routes)
        )
        found: dict[str, datetime] = {}
        for stored in self.session.scalars(query):
            found.update({k: datetime.fromisoformat(str(v)) for k, v in stored.items()})
        return found

    def _positions(
        self, conditions: list[ColumnElement[bool]], since: datetime
    ) -> dict[str, ConsolePosition]:
        couriers = select(RouteRow.courier_pk).where(*conditions)
        last = (
            select(CourierPingRow.courier_pk, func.max(CourierPingRow.at).label("at"))
            .where(CourierPingRow.courier_pk.in_(couriers), CourierPingRow.at >= since)
            .group_by(CourierPingRow.courier_pk)
            .subquery()
        )
        query = (
            select(CourierRow.public_id, CourierPingRow.lat, CourierPingRow.lon, CourierPingRow.at)
            .join(
                last,
                and_(
                    last.c.courier_pk == CourierPingRow.courier_pk, last.c.at == CourierPingRow.at
                ),
            )
            .join(CourierRow, CourierRow.pk == CourierPingRow.courier_pk)
        )
        return {
            courier_id: ConsolePosition(courier_id, GeoPoint(lat, lon), at)
            for courier_id, lat, lon, at in self.session.execute(query)
        }
