"""Planning runs. Plans are the operator's office staff's: a brand's or a courier's unit of
work reads none (store/scoping.py) and writes none."""

from __future__ import annotations

from sqlalchemy import Select
from sqlalchemy.orm import Session

from doorstep.domain.access import Principal
from doorstep.domain.errors import InvalidValue
from doorstep.domain.events import SeenAggregates
from doorstep.services.ports import PlanRecord, PlanStatus
from doorstep.store.base import SqlRepository
from doorstep.store.crypto import FieldCipher
from doorstep.store.scoping import pk_of, scoped
from doorstep.store.tables import HubRow, PlanRow

_UNFINISHED = (PlanStatus.QUEUED.value, PlanStatus.RUNNING.value)


def _record(row: PlanRow) -> PlanRecord:
    return PlanRecord(
        id=row.public_id,
        hub_id=row.hub.public_id,
        plan_date=row.plan_date,
        status=PlanStatus(row.status),
        request=row.request,
        budget_s=row.budget_s,
        network=row.network,
        created_at=row.created_at,
        created_by=row.created_by,
        started_at=row.started_at,
        finished_at=row.finished_at,
        error=row.error,
        result=row.result,
    )


class SqlPlanRepository(SqlRepository):
    """What it stores is marked seen: a finished plan's ``plan.finished`` goes to the outbox
    in the same commit."""

    def __init__(
        self, session: Session, principal: Principal, cipher: FieldCipher, *, seen: SeenAggregates
    ) -> None:
        super().__init__(session, principal, cipher)
        self._seen = seen

    def _select(self) -> Select[PlanRow]:
        return scoped(self.principal, PlanRow)

    def add(self, plan: PlanRecord) -> None:
        if not self.principal.may_operate_hub():
            raise InvalidValue("plan", "plans are made by the delivery company's staff")
        hub_pk = pk_of(self.session, self.principal, HubRow, plan.hub_id, "hub_id")
        row = PlanRow(public_id=plan.id, hub_pk=hub_pk, created_by=plan.created_by)
        self._write(row, plan)
        self.insert(row)
        self._seen.add(plan)

    def get(self, plan_id: str) -> PlanRecord | None:
        row = self.session.scalar(self._select().where(PlanRow.public_id == plan_id))
        return None if row is None else _record(row)

    def save(self, plan: PlanRecord) -> None:
        row = self.session.scalar(self._select().where(PlanRow.public_id == plan.id))
        if row is None:
            raise InvalidValue("plan_id", f"no such plan: {plan.id}")
        with self.savepoint():
            self._write(row, plan)
        self._seen.add(plan)

    def list_unfinished(self) -> list[PlanRecord]:
        query = self._select().where(PlanRow.status.in_(_UNFINISHED))
        rows = self.session.scalars(query.order_by(PlanRow.created_at, PlanRow.pk))
        return [_record(row) for row in rows]

    @staticmethod
    def _write(row: PlanRow, plan: PlanRecord) -> None:
        row.plan_date = plan.plan_date
        row.status = plan.status.value
        row.network = plan.network
        row.budget_s = plan.budget_s
        row.request = plan.request
        row.created_at = plan.created_at
        row.started_at = plan.started_at
        row.finished_at = plan.finished_at
        row.error = plan.error
        row.result = plan.result
