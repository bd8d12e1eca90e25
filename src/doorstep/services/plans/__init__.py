"""Planning runs: the stored request (``request``), the one builder of a planning problem
from parcels (``problem``), CSV files for ``doorstep plan`` (``from_files``), the solve
(``run``) and the use cases (``use_cases``, re-exported here: ``plans.request_plan``).
"""

from doorstep.services.plans.use_cases import (
    JOB,
    get_plan,
    known_networks,
    progress,
    request_plan,
    run_plan,
    stale_plans,
)

__all__ = [
    "JOB",
    "get_plan",
    "known_networks",
    "progress",
    "request_plan",
    "run_plan",
    "stale_plans",
]
