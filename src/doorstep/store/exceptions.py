"""The exception queue: rows to :class:`DispatchException` and back, raised and resolved once.

Raised once: ``(kind, key)`` is unique, so a second insert of the same occurrence (two
relays at once on PostgreSQL, or a sweep and a relay) is refused by the database and
answered ``False``; the loser's event is never collected. Resolved once: the resolution is
an ``UPDATE ... WHERE state = 'open'``, and a row already resolved meanwhile is answered
``False`` with the event dropped. Operators and the system only (store/scoping.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from doorstep.domain.access import Principal
from doorstep.domain.events import SeenAggregates, drain
from doorstep.domain.exceptions import (
    DispatchException,
    ExceptionKind,
    ExceptionState,
    Resolution,
)
from doorstep.services.ports import Conflict, ExceptionQuery, PlanRecord, PlanStatus
from doorstep.store.base import IN_CHUNK, SqlRepository
from doorstep.store.crypto import FieldCipher
from doorstep.store.plans import _record as plan_record
from doorstep.store.scoping import scoped
from doorstep.store.tables import ExceptionRow, PlanRow, RouteRow


class SqlExceptionRepository(SqlRepository):
    def __init__(
        self, session: Session, principal: Principal, cipher: FieldCipher, *, seen: SeenAggregates
    ) -> None:
        super().__init__(session, principal, cipher)
        self._seen = seen

    def add(self, found: DispatchException) -> bool:
        if self.find(found.kind, found.key) is not None:
            drain(found.new_events)
            return False
        row = ExceptionRow(
            public_id=found.id,
            kind=found.kind.value,
            key=found.key,
            raised_at=found.raised_at,
            details=found.details,
            route_id=found.route_id,
            stop_id=found.stop_id,
            parcel_ids=list(found.parcel_ids),
            order_ids=list(found.order_ids),
            moment=found.moment,
        )
        _fill(row, found)
        try:
            self.insert(row)
        except Conflict:  # the same occurrence raised meanwhile: one is enough
            drain(found.new_events)
            return False
        self._seen.add(found)
        return True

    def get(self, exception_id: str) -> DispatchException | None:
        row = self.session.scalar(self._rows().where(ExceptionRow.public_id == exception_id))
        return None if row is None else _exception(row)

    def find(self, kind: ExceptionKind, key: str) -> DispatchException | None:
        query = self._rows().where(ExceptionRow.kind == kind.value, ExceptionRow.key == key)
        row = self.session.scalar(query)
        return None if row is None else _exception(row)

    def search(self, query: ExceptionQuery) -> list[DispatchException]:
        select_ = self._rows()
        if query.state is not None:
            select_ = select_.where(ExceptionRow.state == query.state.value)
        if query.kind is not None:
            select_ = select_.where(ExceptionRow.kind == query.kind.value)
        if query.route_id is not None:
            select_ = select_.where(ExceptionRow.route_id == query.route_id)
        select_ = select_.order_by(ExceptionRow.raised_at.desc(), ExceptionRow.pk.desc())
        return [_exception(row) for row in self.session.scalars(select_.limit(query.limit))]

    def save_resolution(self, found: DispatchException) -> bool:
        with self.savepoint():
            done = self.session.execute(
                update(ExceptionRow)
                .where(
                    ExceptionRow.public_id == found.id,
                    ExceptionRow.state == ExceptionState.OPEN.value,
                )
                .values(
                    state=found.state.value,
                    resolved_at=found.resolved_at,
                    resolved_by=found.resolved_by,
                    resolution=None if found.resolution is None else found.resolution.value,
                    note=found.note,
                )
                .execution_options(synchronize_session=False)
            )
        if getattr(done, "rowcount", 0) != 1:
            drain(found.new_events)
            return False
        self._seen.add(found)
        return True

    def planned_starts(self, route_ids: Sequence[str]) -> dict[str, datetime]:
        starts: dict[str, datetime] = {}
        ids = list(route_ids)
        for offset in range(0, len(ids), IN_CHUNK):
            query = (
                select(RouteRow.public_id, RouteRow.plan_index, PlanRow.result)
                .join(PlanRow, PlanRow.pk == RouteRow.plan_pk)
                .where(RouteRow.public_id.in_(ids[offset : offset + IN_CHUNK]))
            )
            for route_id, index, result in self.session.execute(query):
                start = _route_start(result, index)
                if start is not None:
                    starts[route_id] = start
        return starts

    def plans_finished_since(self, since: datetime) -> list[PlanRecord]:
        query = (
            scoped(self.principal, PlanRow)
            .where(PlanRow.status == PlanStatus.SUCCEEDED.value, PlanRow.finished_at >= since)
            .order_by(PlanRow.finished_at, PlanRow.pk)
        )
        return [plan_record(row) for row in self.session.scalars(query)]

    def _rows(self) -> Select[ExceptionRow]:
        return scoped(self.principal, ExceptionRow)


def _route_start(result: dict[str, Any] | None, index: int | None) -> datetime | None:
    """The ``start`` of the plan document's route ``index``, if the document has one."""
    if result is None or index is None:
        return None
    routes = result.get("routes") or []
    if not 0 <= index < len(routes):
        return None
    start = routes[index].get("start")
    if not isinstance(start, str):
        return None
    try:
        return datetime.fromisoformat(start)
    except ValueError:
        return None


def _fill(row: ExceptionRow, found: DispatchException) -> None:
    row.state = found.state.value
    row.resolved_at = found.resolved_at
    row.resolved_by = found.resolved_by
    row.resolution = None if found.resolution is None else found.resolution.value
    row.note = found.note


def _exception(row: ExceptionRow) -> DispatchException:
    return DispatchException(
        id=row.public_id,
        kind=ExceptionKind(row.kind),
        key=row.key,
        raised_at=row.raised_at,
        details=row.details,
        route_id=row.route_id,
        stop_id=row.stop_id,
        parcel_ids=tuple(row.parcel_ids),
        order_ids=tuple(row.order_ids),
        moment=row.moment,
        state=ExceptionState(row.state),
        resolved_at=row.resolved_at,
        resolved_by=row.resolved_by,
        resolution=None if row.resolution is None else Resolution(row.resolution),
        note=row.note,
    )
