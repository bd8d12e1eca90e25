"""Announced windows and each route's last ETA recompute.

Announcements are appended and never changed. Reads are scoped through what they are
about, with the rules of :mod:`doorstep.store.scoping`: by route, as the route is (office
staff and the route's courier); by parcel, as the parcel is (its brand, its courier,
office staff). The route's state row is versioned like a route, so concurrent recomputes
of one route cannot both announce.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, aliased

from doorstep.domain.access import Principal
from doorstep.domain.errors import InvalidValue
from doorstep.domain.eta import AnnouncedWindow, EtaRound
from doorstep.domain.events import SeenAggregates
from doorstep.domain.route import RouteState
from doorstep.services.ports import RouteEtaState, StaleObject
from doorstep.store.base import IN_CHUNK, SqlRepository
from doorstep.store.crypto import FieldCipher
from doorstep.store.scoping import visible
from doorstep.store.tables import (
    EtaAnnouncementRow,
    EtaRouteStateRow,
    ParcelRow,
    RouteParcelRow,
    RouteRow,
    RouteStopRow,
)


def _window(row: EtaAnnouncementRow, stop_id: str) -> AnnouncedWindow:
    return AnnouncedWindow(
        stop_id=stop_id,
        kind=row.kind,
        start=row.window_start,
        end=row.window_end,
        predicted_arrival=row.predicted_arrival,
        announced_at=row.announced_at,
    )


def _to_json(moments: Mapping[str, datetime]) -> dict[str, Any]:
    return {key: moment.isoformat() for key, moment in moments.items()}


def _from_json(stored: Mapping[str, Any]) -> dict[str, datetime]:
    return {key: datetime.fromisoformat(str(value)) for key, value in stored.items()}


class SqlEtaRepository(SqlRepository):
    def __init__(
        self, session: Session, principal: Principal, cipher: FieldCipher, *, seen: SeenAggregates
    ) -> None:
        super().__init__(session, principal, cipher)
        self._seen = seen

    def _route_pk(self, route_id: str) -> int | None:
        query = select(RouteRow.pk).where(RouteRow.public_id == route_id)
        condition = visible(self.principal, RouteRow)
        if condition is not None:
            query = query.where(condition)
        pk = self.session.scalar(query)
        return None if pk is None else int(pk)

    def add(self, route_id: str, window: AnnouncedWindow) -> None:
        query = (
            select(RouteStopRow.route_pk, RouteStopRow.pk)
            .join(RouteRow, RouteRow.pk == RouteStopRow.route_pk)
            .where(RouteRow.public_id == route_id, RouteStopRow.public_id == window.stop_id)
        )
        condition = visible(self.principal, RouteRow)
        if condition is not None:
            query = query.where(condition)
        found = self.session.execute(query).first()
        if found is None:
            raise InvalidValue("stop_id", f"no stop {window.stop_id} on route {route_id}")
        route_pk, stop_pk = found
        self.session.add(
            EtaAnnouncementRow(
                route_pk=route_pk,
                stop_pk=stop_pk,
                kind=window.kind,
                window_start=window.start,
                window_end=window.end,
                predicted_arrival=window.predicted_arrival,
                announced_at=window.announced_at,
            )
        )

    def record(self, round_: EtaRound) -> None:
        for window in round_.announcements:
            self.add(round_.route_id, window)
        self._seen.add(round_)

    def list_for_route(self, route_id: str) -> list[AnnouncedWindow]:
        route_pk = self._route_pk(route_id)
        if route_pk is None:
            return []
        query = (
            select(EtaAnnouncementRow, RouteStopRow.public_id)
            .join(RouteStopRow, RouteStopRow.pk == EtaAnnouncementRow.stop_pk)
            .where(EtaAnnouncementRow.route_pk == route_pk)
            .order_by(EtaAnnouncementRow.announced_at, EtaAnnouncementRow.pk)
        )
        return [_window(row, stop_id) for row, stop_id in self.session.execute(query)]

    def latest_for_parcels(self, parcel_ids: Sequence[str]) -> dict[str, AnnouncedWindow]:
        found: dict[str, AnnouncedWindow] = {}
        wanted = list(dict.fromkeys(parcel_ids))
        for i in range(0, len(wanted), IN_CHUNK):
            found.update(self._latest_for_chunk(wanted[i : i + IN_CHUNK]))
        return found

    def _latest_for_chunk(self, parcel_ids: Sequence[str]) -> dict[str, AnnouncedWindow]:
        earlier = aliased(EtaAnnouncementRow)
        latest = (
            select(func.max(earlier.pk))
            .where(earlier.stop_pk == RouteParcelRow.stop_pk)
            .correlate(RouteParcelRow)
            .scalar_subquery()
        )
        query = (
            select(ParcelRow.public_id, RouteStopRow.public_id, EtaAnnouncementRow)
            .join(RouteParcelRow, RouteParcelRow.parcel_pk == ParcelRow.pk)
            .join(RouteRow, RouteRow.pk == RouteParcelRow.route_pk)
            .join(RouteStopRow, RouteStopRow.pk == RouteParcelRow.stop_pk)
            .join(EtaAnnouncementRow, EtaAnnouncementRow.pk == latest)
            .where(
                ParcelRow.public_id.in_(parcel_ids),
                RouteParcelRow.active.is_(True),
                RouteRow.state != RouteState.FINISHED.value,
            )
            .order_by(RouteRow.pk)  # a later route (a parcel moved) wins below
        )
        condition = visible(self.principal, ParcelRow)
        if condition is not None:
            query = query.where(condition)
        return {
            parcel_id: _window(row, stop_id)
            for parcel_id, stop_id, row in self.session.execute(query)
        }

    def state(self, route_id: str) -> RouteEtaState | None:
        route_pk = self._route_pk(route_id)
        if route_pk is None:
            return None
        row = self.session.scalar(
            select(EtaRouteStateRow).where(EtaRouteStateRow.route_pk == route_pk)
        )
        if row is None:
            return None
        return RouteEtaState(
            route_id=route_id,
            computed_at=row.computed_at,
            predictions=_from_json(row.predictions),
            delays_raised=_from_json(row.delays_raised),
            version=row.version,
        )

    def save_state(self, state: RouteEtaState) -> None:
        route_pk = self._route_pk(state.route_id)
        if route_pk is None:
            raise InvalidValue("route_id", f"no such route: {state.route_id}")
        values = {
            "computed_at": state.computed_at,
            "predictions": _to_json(state.predictions),
            "delays_raised": _to_json(state.delays_raised),
            "version": state.version + 1,
        }
        if state.version == 0:
            self.insert(EtaRouteStateRow(route_pk=route_pk, **values))
            return
        result = self.session.execute(
            update(EtaRouteStateRow)
            .where(
                EtaRouteStateRow.route_pk == route_pk,
                EtaRouteStateRow.version == state.version,
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if getattr(result, "rowcount", 0) != 1:
            raise StaleObject(state.route_id)
