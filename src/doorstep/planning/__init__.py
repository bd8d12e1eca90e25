"""Route optimisation: stops and fleet in, timed routes and reasoned leftovers out.

Public surface: :func:`plan_day` (problem + travel-time provider -> plan), :func:`solve`
(problem + matrices -> plan), :func:`reoptimise` (re-plan the rest of a running day),
:func:`check_plan` (independent feasibility check), and the model dataclasses.
"""

from doorstep.planning.check import Violation, check_plan
from doorstep.planning.door_time import DoorTimeParams
from doorstep.planning.model import (
    AreaType,
    Break,
    ParcelLoad,
    Plan,
    PlannedStop,
    PlanningHub,
    PlanningProblem,
    PlanningStop,
    PlanningVehicle,
    Route,
    Unassigned,
    UnassignedReason,
)
from doorstep.planning.params import LegFactor, PlannerParams
from doorstep.planning.plan_day import plan_day, travel_matrices
from doorstep.planning.reoptimise import CourierState, reoptimise
from doorstep.planning.solve import solve
from doorstep.planning.stops import ParcelRequest, group_into_stops

__all__ = [
    "AreaType",
    "Break",
    "CourierState",
    "DoorTimeParams",
    "LegFactor",
    "ParcelLoad",
    "ParcelRequest",
    "Plan",
    "PlannedStop",
    "PlannerParams",
    "PlanningHub",
    "PlanningProblem",
    "PlanningStop",
    "PlanningVehicle",
    "Route",
    "Unassigned",
    "UnassignedReason",
    "Violation",
    "check_plan",
    "group_into_stops",
    "plan_day",
    "reoptimise",
    "solve",
    "travel_matrices",
]
