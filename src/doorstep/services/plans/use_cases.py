"""Planning runs: request one (validated, stored ``queued``), run one (solved by a job).

``request_plan`` is the API's transaction; the caller enqueues the job only after it
commits, so a worker never looks for a plan that is not there yet. ``run_plan`` is
idempotent: a finished plan is left alone, so a job delivered twice, or re-run after a
worker died mid-solve, does no harm.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta

from doorstep.domain import ids
from doorstep.domain.access import Principal
from doorstep.domain.errors import DomainError, InvalidValue
from doorstep.domain.events import DomainEvent, plan_finished
from doorstep.geo.road_network import packaged_networks
from doorstep.geo.straight_line import STRAIGHT_LINE
from doorstep.planning import PlannerParams, plan_day
from doorstep.planning.export import plan_document
from doorstep.planning.model import UnassignedReason
from doorstep.planning.pinned import plan_pinned
from doorstep.services.access import require_hub_operator, require_id
from doorstep.services.errors import NotFound
from doorstep.services.idempotency import BeforeCommit, commit_with
from doorstep.services.plans.request import (
    BreakSpec,
    RequestPlan,
    StoredPlanRequest,
    VehicleShift,
    normalise_request,
    planning_problem,
    stop_pins,
)
from doorstep.services.plans.run import traffic_leg_factor
from doorstep.services.ports import (
    Clock,
    Json,
    PlanRecord,
    PlanStatus,
    RoutingFor,
    UnitOfWork,
    UnitOfWorkFactory,
)

__all__ = [
    "MAX_BUDGET_S",
    "BreakSpec",
    "RequestPlan",
    "StoredPlanRequest",
    "VehicleShift",
    "get_plan",
    "known_networks",
    "progress",
    "request_plan",
    "run_plan",
    "stale_plans",
]

MAX_BUDGET_S = 300
STALE_GRACE = timedelta(minutes=2)  # matrices and checks on top of the solver's budget
JOB = Principal.system("jobs")
log = logging.getLogger("doorstep.plans")


def known_networks() -> list[str]:
    """Network names a plan may ask for: straight line (no data) and every packaged one."""
    return [STRAIGHT_LINE, *packaged_networks()]


def request_plan(
    uow: UnitOfWork,
    cmd: RequestPlan,
    clock: Clock,
    *,
    before_commit: BeforeCommit[PlanRecord] | None = None,
) -> PlanRecord:
    """Check the request against hub and fleet, choose the parcels, store it ``queued``."""
    require_hub_operator(uow.principal)
    if not 1 <= cmd.budget_s <= MAX_BUDGET_S:
        raise InvalidValue("budget_s", f"must be between 1 and {MAX_BUDGET_S} seconds")
    if cmd.network not in known_networks():
        raise InvalidValue("network", f"unknown network; known: {', '.join(known_networks())}")
    with uow:
        request = normalise_request(uow, cmd).to_json()
        plan = PlanRecord(
            id=ids.new_id("pln"),
            hub_id=cmd.hub_id,
            plan_date=cmd.plan_date,
            status=PlanStatus.QUEUED,
            request=request,
            budget_s=cmd.budget_s,
            network=cmd.network,
            created_at=clock.now(),
            created_by=uow.principal.actor,
        )
        uow.plans.add(plan)
        commit_with(uow, plan, before_commit)
    return plan


def get_plan(uow: UnitOfWork, plan_id: str) -> PlanRecord:
    require_hub_operator(uow.principal)
    require_id(plan_id, "pln", "plan")
    with uow:
        plan = uow.plans.get(plan_id)
    if plan is None:
        raise NotFound("plan", plan_id)
    return plan


def progress(plan: PlanRecord, now: datetime) -> tuple[float, float]:
    """``(elapsed_s, fraction)``: time since the solve started over its budget (capped)."""
    if plan.status is PlanStatus.QUEUED or plan.started_at is None:
        return 0.0, 0.0
    end = plan.finished_at or now
    elapsed = max(0.0, (end - plan.started_at).total_seconds())
    if plan.status.finished:
        return elapsed, 1.0
    return elapsed, min(0.99, elapsed / plan.budget_s)


def stale_plans(uow: UnitOfWork, now: datetime) -> list[str]:
    """Plans a restarted worker should enqueue again: queued ones (the queue may have lost
    them) and running ones well past their budget (their worker died)."""
    with uow:
        unfinished = uow.plans.list_unfinished()
    return [
        p.id
        for p in unfinished
        if p.status is PlanStatus.QUEUED
        or p.started_at is None
        or p.started_at + timedelta(seconds=p.budget_s) + STALE_GRACE < now
    ]


def run_plan(
    uow_factory: UnitOfWorkFactory,
    plan_id: str,
    routing_for: RoutingFor,
    clock: Clock,
    params: PlannerParams,
) -> PlanRecord:
    """Solve a stored request and store the plan document, or the reason it failed.

    ``params`` say how to search; the plan's own budget replaces their time budget."""
    with uow_factory(JOB) as uow:
        plan = uow.plans.get(plan_id)
        if plan is None:
            raise NotFound("plan", plan_id)
        if plan.status.finished:
            return plan  # delivered twice, or re-run after success: nothing to do
        plan = replace(plan, status=PlanStatus.RUNNING, started_at=clock.now(), error=None)
        uow.plans.save(plan)
        uow.commit()
    try:
        document = _solve(uow_factory, plan, routing_for, params)
    except (DomainError, ValueError) as error:
        return _finish(uow_factory, plan, clock, error=_reason(error))
    except Exception:
        log.exception("plan %s failed", plan.id)
        return _finish(uow_factory, plan, clock, error="the planner stopped unexpectedly")
    return _finish(uow_factory, plan, clock, document=document)


def _solve(
    uow_factory: UnitOfWorkFactory, plan: PlanRecord, routing_for: RoutingFor, params: PlannerParams
) -> Json:
    with uow_factory(JOB) as uow:
        built = planning_problem(uow, plan)
    problem = built.problem
    routing = routing_for(plan.network)
    legs = traffic_leg_factor(routing.traffic, problem.departure, problem.profiles())
    params = replace(params, time_budget_s=float(plan.budget_s))
    pins = stop_pins(problem, StoredPlanRequest.model_validate(plan.request).pins)
    if pins:
        solved = plan_pinned(problem, pins, routing.provider, params, leg_factor=legs)
    else:
        solved = plan_day(problem, routing.provider, params, leg_factor=legs)
    solved = replace(solved, unassigned=solved.unassigned + built.unplaceable)
    return plan_document(solved, problem, built.manifest).to_json()


def finished_event(plan: PlanRecord, at: datetime) -> DomainEvent:
    """``plan.finished`` for a plan just finished: its stops left out, counted by reason,
    and those whose address could not be routed (an exception each, at once)."""
    unassigned: Counter[str] = Counter()
    unroutable: list[str] = []
    for item in (plan.result or {}).get("unassigned") or []:
        reason = str(item.get("reason") or "unknown")
        unassigned[reason] += 1
        if reason == UnassignedReason.UNROUTABLE_ADDRESS:
            unroutable.append(str(item.get("stop_id")))
    return plan_finished(
        plan_id=plan.id,
        hub_id=plan.hub_id,
        plan_date=plan.plan_date,
        status=plan.status.value,
        unassigned=dict(sorted(unassigned.items())),
        unroutable_stop_ids=unroutable,
        at=at,
    )


def _reason(error: Exception) -> str:
    """A dispatcher's sentence, never a stack trace."""
    message = error.message if isinstance(error, DomainError) else str(error)
    return f"The plan could not be made: {message}"


def _finish(
    uow_factory: UnitOfWorkFactory,
    plan: PlanRecord,
    clock: Clock,
    *,
    document: Json | None = None,
    error: str | None = None,
) -> PlanRecord:
    status = PlanStatus.FAILED if error is not None else PlanStatus.SUCCEEDED
    now = clock.now()
    done = replace(
        plan, status=status, finished_at=now, error=error, result=document, new_events=[]
    )
    done.new_events.append(finished_event(done, now))
    with uow_factory(JOB) as uow:
        uow.plans.save(done)
        uow.commit()
    return done
