"""Dispatched routes, the courier actions that moved them, and proofs of delivery.

A route is stored as one row and one row per stop; ``route_parcels`` says which parcels
ride on which stop, so that courier scoping (store/scoping.py) and a hub's sort scan find
a parcel's route with one indexed join.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import date
from operator import attrgetter
from typing import Any, cast

from sqlalchemy import Row, Select, Table, event, select, update
from sqlalchemy.orm import Session, joinedload, lazyload

from doorstep.domain.access import Principal
from doorstep.domain.errors import InvalidValue
from doorstep.domain.events import SeenAggregates
from doorstep.domain.model import GeoPoint, TimeWindow
from doorstep.domain.route import Route, RouteState, RouteStop, StopState
from doorstep.services.ports import CourierAction, ProofRecord, RouteSummary, StaleObject
from doorstep.store.base import SqlRepository
from doorstep.store.crypto import FieldCipher, seal, unseal
from doorstep.store.route_cache import CommittedStop, CommittedStops, StopValues
from doorstep.store.scoping import pk_of, scoped
from doorstep.store.tables import (
    CourierActionRow,
    CourierRow,
    HubRow,
    OrderRow,
    ParcelRow,
    PlanRow,
    ProofRow,
    RouteParcelRow,
    RouteRow,
    RouteStopRow,
    VehicleRow,
)


def _stop(row: RouteStopRow | Row[Any]) -> RouteStop:
    window = None
    if row.window_start is not None and row.window_end is not None:
        window = TimeWindow(row.window_start, row.window_end)
    return RouteStop(
        id=row.public_id,
        sequence=row.sequence,
        point=GeoPoint(row.lat, row.lon),
        postcode=row.postcode,
        address_lines=tuple(row.address_lines),
        recipient_first_name=row.recipient_first_name,
        parcel_ids=tuple(row.parcel_ids),
        planned_arrival=row.planned_arrival,
        window=window,
        state=StopState(row.state),
        arrived_at=row.arrived_at,
        arrival_distance_m=row.arrival_distance_m,
        geofence_mismatch=row.geofence_mismatch,
        done_at=row.done_at,
        note=row.note,
    )


def _route(row: RouteRow, stops: list[RouteStop] | None = None) -> Route:
    return Route(
        id=row.public_id,
        plan_id=row.plan.public_id if row.plan else None,
        hub_id=row.hub.public_id,
        route_date=row.route_date,
        courier_id=row.courier.public_id,
        vehicle_id=row.vehicle.public_id,
        stops=[_stop(s) for s in row.stops] if stops is None else stops,
        state=RouteState(row.state),
        started_at=row.started_at,
        finished_at=row.finished_at,
        version=row.version,
    )


def _stop_columns(stop: RouteStop) -> dict[str, Any]:
    """The stop's columns as stored, by attribute name."""
    return {
        "sequence": stop.sequence,
        "state": stop.state.value,
        "lat": stop.point.lat,
        "lon": stop.point.lon,
        "postcode": stop.postcode,
        "address_lines": list(stop.address_lines),
        "recipient_first_name": stop.recipient_first_name,
        "parcel_ids": list(stop.parcel_ids),
        "planned_arrival": stop.planned_arrival,
        "window_start": stop.window.start if stop.window else None,
        "window_end": stop.window.end if stop.window else None,
        "arrived_at": stop.arrived_at,
        "arrival_distance_m": stop.arrival_distance_m,
        "geofence_mismatch": stop.geofence_mismatch,
        "done_at": stop.done_at,
        "note": stop.note,
    }


def _new_stop_row(stop: RouteStop) -> RouteStopRow:
    return RouteStopRow(public_id=stop.id, **_stop_columns(stop))


def _write_stop(row: RouteStopRow, stop: RouteStop) -> None:
    """Copy onto ``row`` only the columns of the stop that changed.

    A courier's action changes one stop of many: setting every column of every stop
    costs more than the action itself on a long route, and writes nothing new.
    """
    changed = {k: v for k, v in _stop_columns(stop).items() if getattr(row, k) != v}
    for name, value in changed.items():
        setattr(row, name, value)


def _rides_with(row: RouteRow, courier_id: str) -> bool:
    """Whether the route's row already names ``courier_id``, known without a query (the
    loaded courier counts only while it still matches the row's key)."""
    courier = row.courier
    return courier is not None and courier.pk == row.courier_pk and courier.public_id == courier_id


def _links_change(row: RouteStopRow | None, stop: RouteStop) -> bool:
    """Whether saving ``stop`` changes which parcels ride on it (``route_parcels``)."""
    if row is None:
        return True
    removed = row.state == StopState.REMOVED.value
    return list(row.parcel_ids) != list(stop.parcel_ids) or removed != (
        stop.state is StopState.REMOVED
    )


_STOP_FIELDS = tuple(f.name for f in fields(RouteStop))
_ID, _STATE, _SEQUENCE, _PARCELS = (
    _STOP_FIELDS.index(name) for name in ("id", "state", "sequence", "parcel_ids")
)


_values: Callable[[RouteStop], StopValues] = attrgetter(*_STOP_FIELDS)
"""Everything about a stop, in field order: equal values, equal rows."""


@dataclass
class _Read:
    """A route as this unit of work read it: its row, and each stop's key and values.

    A courier's action changes one stop of a route of a hundred: the stops are read as
    plain rows (or taken from :class:`CommittedStops`), and a save writes back only the
    stops whose values changed, by key, instead of loading and flushing a hundred mapped
    objects per action.
    """

    row: RouteRow
    stops: dict[str, CommittedStop] = field(default_factory=dict)  # stop id -> (pk, values)


_STOP_TABLE = cast(Table, RouteStopRow.__table__)


class SqlRouteRepository(SqlRepository):
    def __init__(
        self,
        session: Session,
        principal: Principal,
        cipher: FieldCipher,
        *,
        seen: SeenAggregates,
        committed: CommittedStops | None = None,
    ) -> None:
        super().__init__(session, principal, cipher)
        self._seen = seen
        self._committed = committed or CommittedStops()
        # Routes read in this unit of work, by id: save() writes the changes onto what
        # get() read instead of reading the route again. Routes saved, by id, with their
        # new version: shared once committed. A rollback forgets both.
        self._read: dict[str, _Read] = {}
        self._saved: dict[str, tuple[int, tuple[CommittedStop, ...]]] = {}
        event.listen(session, "after_soft_rollback", self._forget)
        event.listen(session, "after_commit", self._publish)

    def _forget(self, session: Session, previous: Any) -> None:
        self._read.clear()
        self._saved.clear()

    def _publish(self, session: Session) -> None:
        for route_id, (version, stops) in self._saved.items():
            self._committed.put(route_id, version, stops)
        self._saved.clear()

    def _select(self) -> Select[RouteRow]:
        return scoped(self.principal, RouteRow)

    def add(self, route: Route, *, plan_index: int | None = None) -> None:
        if not self.principal.may_operate_hub():
            raise InvalidValue("route", "routes are dispatched by the delivery company's staff")
        s, p = self.session, self.principal
        row = RouteRow(
            public_id=route.id,
            plan_pk=None
            if route.plan_id is None
            else pk_of(s, p, PlanRow, route.plan_id, "plan_id"),
            plan_index=plan_index,
            hub_pk=pk_of(s, p, HubRow, route.hub_id, "hub_id"),
            courier_pk=pk_of(s, p, CourierRow, route.courier_id, "courier_id"),
            vehicle_pk=pk_of(s, p, VehicleRow, route.vehicle_id, "vehicle_id"),
            route_date=route.route_date,
            state=route.state.value,
            started_at=route.started_at,
            finished_at=route.finished_at,
            created_at=route.new_events[0].occurred_at if route.new_events else route.started_at,
            created_by=self.principal.actor,
            version=1,
        )
        for stop in route.stops:
            row.stops.append(_new_stop_row(stop))
        self.insert(row)
        self._link_parcels(row, route)
        route.version = 1
        self._seen.add(route)

    def _link_parcels(self, row: RouteRow, route: Route) -> None:
        """Keep ``route_parcels`` equal to the route's stops: new links, removed stops off."""
        by_id = {s.public_id: s for s in row.stops}
        linked = {
            (link.stop_pk, link.parcel_pk): link
            for link in self.session.scalars(
                select(RouteParcelRow).where(RouteParcelRow.route_pk == row.pk)
            )
        }
        wanted = [p for s in route.stops for p in s.parcel_ids]
        parcel_pks: dict[str, int] = {
            public_id: pk
            for public_id, pk in self.session.execute(
                select(ParcelRow.public_id, ParcelRow.pk).where(ParcelRow.public_id.in_(wanted))
            )
        }
        with self.savepoint():
            for stop in route.stops:
                stop_pk = by_id[stop.id].pk
                active = stop.state is not StopState.REMOVED
                for parcel_id in stop.parcel_ids:
                    if parcel_id not in parcel_pks:
                        raise InvalidValue("parcel_ids", f"no such parcel: {parcel_id}")
                    link = linked.get((stop_pk, parcel_pks[parcel_id]))
                    if link is None:
                        self.session.add(
                            RouteParcelRow(
                                route_pk=row.pk,
                                stop_pk=stop_pk,
                                parcel_pk=parcel_pks[parcel_id],
                                active=active,
                            )
                        )
                    elif link.active != active:
                        link.active = active

    def _row(self, route_id: str) -> RouteRow | None:
        return self.session.scalar(self._select().where(RouteRow.public_id == route_id))

    def _remembered(self, route_id: str) -> _Read | None:
        read = self._read.get(route_id)
        return read if read is not None and read.row in self.session else None

    def _load(self, query: Select[RouteRow]) -> Route | None:
        """The route ``query`` finds: its stops as committed at the row's version when
        known, else read as plain rows (see :class:`_Read`); of its plan, only the id
        (not the plan's whole document)."""
        row = self.session.scalar(
            query.options(
                lazyload(RouteRow.stops), joinedload(RouteRow.plan).load_only(PlanRow.public_id)
            )
        )
        if row is None:
            return None
        committed = self._committed.get(row.public_id, row.version)
        if committed is None:
            stop_rows = self.session.execute(
                select(*_STOP_TABLE.columns)
                .where(_STOP_TABLE.c.route_pk == row.pk)
                .order_by(_STOP_TABLE.c.sequence)
            ).all()
            committed = tuple((r.pk, _values(_stop(r))) for r in stop_rows)
        stops = [RouteStop(*values) for _, values in committed]
        self._read[row.public_id] = _Read(row, {v[_ID]: (pk, v) for pk, v in committed})
        route = _route(row, stops)
        self._seen.add(route)
        return route

    def get(self, route_id: str) -> Route | None:
        return self._load(self._select().where(RouteRow.public_id == route_id))

    def get_by_stop(self, stop_id: str) -> Route | None:
        return self._load(
            self._select().join(RouteStopRow).where(RouteStopRow.public_id == stop_id)
        )

    def save(self, route: Route) -> None:
        read = self._remembered(route.id)
        row = read.row if read is not None else self._row(route.id)
        if row is None:
            raise InvalidValue("route_id", f"no such route: {route.id}")
        if row.version != route.version:
            raise StaleObject(f"route {route.id} changed meanwhile")
        with self.savepoint():
            row.state = route.state.value
            row.started_at = route.started_at
            row.finished_at = route.finished_at
            if not _rides_with(row, route.courier_id):
                row.courier_pk = pk_of(
                    self.session, self.principal, CourierRow, route.courier_id, "courier_id"
                )
            row.version = route.version + 1
            if read is None:
                relink = self._write_stops(row, route)
            else:
                relink = self._update_stops(row, read, route)
        if relink:
            self._link_parcels(row, route)
        route.version += 1
        self._seen.add(route)

    def _write_stops(self, row: RouteRow, route: Route) -> bool:
        """Onto the mapped stop rows; whether any stop's parcels changed."""
        relink = False
        stops = {s.public_id: s for s in row.stops}
        for stop in route.stops:
            stop_row = stops.get(stop.id)
            relink = relink or _links_change(stop_row, stop)
            if stop_row is None:
                row.stops.append(_new_stop_row(stop))
            else:
                _write_stop(stop_row, stop)
        return relink

    def _update_stops(self, row: RouteRow, read: _Read, route: Route) -> bool:
        """Only the stops that changed, by key; new stops as rows. Whether any stop's
        parcels changed. Remembers the stops to share once committed (unless new ones
        have no key yet)."""
        relink = False
        saved: list[CommittedStop] = []
        for stop in route.stops:
            known = read.stops.get(stop.id)
            if known is None:
                relink = True
                row.stops.append(_new_stop_row(stop))
                continue
            pk, stored = known
            values = _values(stop)
            saved.append((pk, values))
            if values == stored:
                continue
            removed = StopState.REMOVED
            relink = (
                relink
                or values[_PARCELS] != stored[_PARCELS]
                or ((stored[_STATE] is removed) != (values[_STATE] is removed))
            )
            # On the table, not the mapped class: no mapped stop of this route is loaded to
            # keep in step, and the ORM's bulk update costs more than the row it writes.
            self.session.execute(
                update(_STOP_TABLE).where(_STOP_TABLE.c.pk == pk).values(**_stop_columns(stop))
            )
            read.stops[stop.id] = (pk, values)
        if len(saved) == len(route.stops):
            ordered = tuple(sorted(saved, key=lambda s: s[1][_SEQUENCE]))
            self._saved[route.id] = (route.version + 1, ordered)
        return relink

    def find(self, *, route_date: date | None = None, courier_id: str | None = None) -> list[Route]:
        query = self._select()
        if route_date is not None:
            query = query.where(RouteRow.route_date == route_date)
        if courier_id is not None:
            query = query.join(CourierRow, RouteRow.courier_pk == CourierRow.pk).where(
                CourierRow.public_id == courier_id
            )
        rows = self.session.scalars(query.order_by(RouteRow.route_date, RouteRow.pk))
        return [_route(row) for row in rows]

    def open_for_courier(self, courier_id: str, route_date: date) -> list[Route]:
        return [
            r
            for r in self.find(route_date=route_date, courier_id=courier_id)
            if r.state is not RouteState.FINISHED
        ]

    def open_for_parcel(self, parcel_id: str) -> RouteSummary | None:
        query = (
            select(RouteRow, RouteStopRow.public_id)
            .join(RouteParcelRow, RouteParcelRow.route_pk == RouteRow.pk)
            .join(RouteStopRow, RouteStopRow.pk == RouteParcelRow.stop_pk)
            .join(ParcelRow, ParcelRow.pk == RouteParcelRow.parcel_pk)
            .where(
                ParcelRow.public_id == parcel_id,
                RouteParcelRow.active.is_(True),
                RouteRow.state != RouteState.FINISHED.value,
            )
            .order_by(RouteRow.pk.desc())
            .limit(1)
        )
        found = self.session.execute(query).first()
        if found is None:
            return None
        row, stop_id = found
        return RouteSummary(
            route_id=row.public_id,
            vehicle_id=row.vehicle.public_id,
            vehicle_name=row.vehicle.name,
            courier_id=row.courier.public_id,
            stop_id=stop_id,
            route_state=row.state,
        )

    def has_started(self, courier_id: str) -> bool:
        query = (
            select(RouteRow.pk)
            .join(CourierRow, RouteRow.courier_pk == CourierRow.pk)
            .where(CourierRow.public_id == courier_id, RouteRow.state == RouteState.STARTED.value)
            .limit(1)
        )
        return self.session.scalar(query) is not None

    def dispatched_plan_indexes(self, plan_id: str) -> set[int]:
        query = (
            select(RouteRow.plan_index)
            .join(PlanRow, RouteRow.plan_pk == PlanRow.pk)
            .where(PlanRow.public_id == plan_id)
        )
        return {i for i in self.session.scalars(query) if i is not None}


class SqlCourierActionRepository(SqlRepository):
    def _record(self, row: CourierActionRow) -> CourierAction:
        return CourierAction(
            id=row.public_id,
            courier_id=self._courier_id(row.courier_pk),
            client_event_id=row.client_event_id,
            kind=row.kind,
            route_id=row.route_id,
            stop_id=row.stop_id,
            device_time=row.device_time,
            received_at=row.received_at,
            request_hash=row.request_hash,
            status=row.status,
            message=row.message,
        )

    def _courier_id(self, courier_pk: int) -> str:
        return str(
            self.session.scalar(select(CourierRow.public_id).where(CourierRow.pk == courier_pk))
        )

    def _courier_pk(self, courier_id: str) -> int:
        return pk_of(self.session, self.principal, CourierRow, courier_id, "courier_id")

    def get(self, courier_id: str, client_event_id: str) -> CourierAction | None:
        query = (
            scoped(self.principal, CourierActionRow)
            .join(CourierRow, CourierActionRow.courier_pk == CourierRow.pk)
            .where(
                CourierRow.public_id == courier_id,
                CourierActionRow.client_event_id == client_event_id,
            )
        )
        row = self.session.scalar(query)
        return None if row is None else self._record(row)

    def add(self, action: CourierAction) -> None:
        self.insert(
            CourierActionRow(
                public_id=action.id,
                courier_pk=self._courier_pk(action.courier_id),
                client_event_id=action.client_event_id,
                kind=action.kind,
                route_id=action.route_id,
                stop_id=action.stop_id,
                device_time=action.device_time,
                received_at=action.received_at,
                request_hash=action.request_hash,
                status=action.status,
                message=action.message,
            )
        )

    def list_for_route(self, route_id: str) -> list[CourierAction]:
        query = scoped(self.principal, CourierActionRow).where(
            CourierActionRow.route_id == route_id
        )
        rows = self.session.scalars(query.order_by(CourierActionRow.pk))
        return [self._record(row) for row in rows]


class SqlProofRepository(SqlRepository):
    def add(self, proof: ProofRecord) -> None:
        order_pk = self.session.scalar(
            select(OrderRow.pk).where(OrderRow.public_id == proof.order_id)
        )
        if order_pk is None:
            raise InvalidValue("order_id", f"no such order: {proof.order_id}")
        order = self.session.get_one(OrderRow, order_pk)
        lat, lon, accuracy = proof.position if proof.position else (None, None, None)
        self.insert(
            ProofRow(
                public_id=proof.id,
                order_pk=order_pk,
                brand_pk=order.brand_pk,
                route_id=proof.route_id,
                stop_id=proof.stop_id,
                courier_id=proof.courier_id,
                outcome=proof.outcome,
                method=proof.method,
                reason=proof.reason,
                parcel_ids=list(proof.parcel_ids),
                evidence=self._seal_evidence(proof.evidence),
                signature=proof.signature,
                photos=list(proof.photos),
                device_time=proof.device_time,
                recorded_at=proof.recorded_at,
                lat=lat,
                lon=lon,
                accuracy_m=accuracy,
                distance_m=proof.distance_m,
                geofence_mismatch=proof.geofence_mismatch,
            )
        )

    def _seal_evidence(self, evidence: dict[str, Any]) -> dict[str, Any]:
        """Names and notes are personal data: sealed like the order's own."""
        return {k: seal(self.cipher, None if v is None else str(v)) for k, v in evidence.items()}

    def _open_evidence(self, evidence: dict[str, Any]) -> dict[str, Any]:
        return {k: unseal(self.cipher, v) for k, v in evidence.items()}

    def list_for_order(self, order_id: str) -> list[ProofRecord]:
        query = (
            scoped(self.principal, ProofRow)
            .join(OrderRow, ProofRow.order_pk == OrderRow.pk)
            .where(OrderRow.public_id == order_id)
            .order_by(ProofRow.recorded_at, ProofRow.pk)
        )
        return [
            ProofRecord(
                id=row.public_id,
                order_id=row.order.public_id,
                brand_id=row.order.brand.public_id,
                route_id=row.route_id,
                stop_id=row.stop_id,
                courier_id=row.courier_id,
                outcome=row.outcome,
                method=row.method,
                reason=row.reason,
                parcel_ids=tuple(row.parcel_ids),
                evidence=self._open_evidence(row.evidence),
                signature=row.signature,
                photos=tuple(row.photos),
                device_time=row.device_time,
                recorded_at=row.recorded_at,
                position=None
                if row.lat is None or row.lon is None
                else (row.lat, row.lon, row.accuracy_m),
                distance_m=row.distance_m,
                geofence_mismatch=row.geofence_mismatch,
            )
            for row in self.session.scalars(query)
        ]
