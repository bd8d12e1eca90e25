"""Couriers' positions: the one write path that must be fast rather than rich.

A courier's phone sends a batch every few seconds all day, so a batch is one Core INSERT
of plain dicts: one statement, compiled once and cached, that the driver executes for all
the rows in one call (SQLite's ``executemany``, psycopg's pipeline); no ORM object per
ping, no RETURNING, nothing read back. A single multi-row ``VALUES`` statement measured
about five times slower per batch of 20 on both databases, because SQLAlchemy compiles it
anew for every batch. What a batch costs is then mostly the commit's flush to disk
(``benchmarks/pings.py``). Reads and the purge are scoped like every query.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, delete, insert, select

from doorstep.domain.pings import Ping
from doorstep.store.base import SqlRepository
from doorstep.store.scoping import pk_of, scoped, visible
from doorstep.store.tables import CourierPingRow, CourierRow

PINGS = cast(Table, CourierPingRow.__table__)
_INSERT = insert(PINGS)


class SqlPingRepository(SqlRepository):
    def add_many(self, courier_id: str, pings: Sequence[Ping], received_at: datetime) -> int:
        if not pings:
            return 0
        courier_pk = pk_of(self.session, self.principal, CourierRow, courier_id, "courier_id")
        rows: list[dict[str, Any]] = [
            {
                "courier_pk": courier_pk,
                "at": ping.at,
                "received_at": received_at,
                "lat": ping.lat,
                "lon": ping.lon,
                "accuracy_m": ping.accuracy_m,
                "speed_mps": ping.speed_mps,
                "heading_deg": ping.heading_deg,
            }
            for ping in pings
        ]
        self.session.execute(_INSERT, rows)
        return len(rows)

    def list_for(self, courier_id: str, since: datetime, until: datetime) -> list[Ping]:
        courier = select(CourierRow.pk).where(CourierRow.public_id == courier_id)
        query = (
            scoped(self.principal, CourierPingRow)
            .where(
                CourierPingRow.courier_pk == courier.scalar_subquery(),
                CourierPingRow.at >= since,
                CourierPingRow.at < until,
            )
            .order_by(CourierPingRow.at, CourierPingRow.pk)
        )
        return [
            Ping(
                at=row.at,
                lat=row.lat,
                lon=row.lon,
                accuracy_m=row.accuracy_m,
                speed_mps=row.speed_mps,
                heading_deg=row.heading_deg,
            )
            for row in self.session.scalars(query)
        ]

    def purge(self, *, before: datetime) -> int:
        statement = delete(CourierPingRow).where(CourierPingRow.at < before)
        condition = visible(self.principal, CourierPingRow)
        if condition is not None:
            statement = statement.where(condition)
        result = self.session.execute(statement)
        return int(getattr(result, "rowcount", 0) or 0)
