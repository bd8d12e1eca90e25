"""When ETAs are recomputed: after the courier's actions and pings commit, on their own.

A recompute is its own transaction, run after the action or ping batch that prompted it
has committed, and it never raises: the courier's action is stored and answered whatever
happens to the ETAs (a routing back-end down, a race with another recompute), and a
replayed action (``duplicate``) prompts nothing, so the courier app's idempotency is
untouched. A recompute lost to a crash between the two commits is made good by the next
ping or action. Two recomputes of one route at once cannot both announce: the route's
ETA state is versioned and the second one's commit is refused (and dropped).

Pings are kept cheap: a batch costs one read-only look at the courier's started routes
and when each was last recomputed; only a route not recomputed for ``ping_interval``
(30 s) is recomputed, so however often the phone sends, a route is recomputed at most
about twice a minute by pings (actions always recompute).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from zoneinfo import ZoneInfo

from doorstep.domain.access import Principal
from doorstep.domain.route import RouteState
from doorstep.services.eta.recompute import EtaParams, recompute_route
from doorstep.services.ports import (
    Clock,
    Conflict,
    RoutingFor,
    StaleObject,
    StoreBusy,
    UnitOfWorkFactory,
)

ETA = Principal.system("eta")
PING_INTERVAL = timedelta(seconds=30)
LONDON = ZoneInfo("Europe/London")

log = logging.getLogger("doorstep.eta")


@dataclass(frozen=True, slots=True)
class EtaRefresh:
    """What the courier's use cases call after they commit (wired by the entry points)."""

    uow_factory: UnitOfWorkFactory
    clock: Clock
    routing_for: RoutingFor
    params: EtaParams = field(default_factory=EtaParams)
    ping_interval: timedelta = PING_INTERVAL

    def route(self, route_id: str) -> None:
        """Recompute one route now; never raises (logged instead)."""
        try:
            with self.uow_factory(ETA) as uow:
                made = recompute_route(
                    uow, route_id, self.clock.now(), self.routing_for, self.params
                )
                if made is not None:
                    uow.commit()
        except (StaleObject, Conflict, StoreBusy):
            log.info("ETA recompute of %s overtaken by another; dropped", route_id)
        except Exception:  # the courier's action must stand whatever ETAs do
            log.exception("ETA recompute of %s failed", route_id)

    def courier(self, courier_id: str) -> None:
        """After a ping batch: recompute the courier's started routes that are due."""
        now = self.clock.now()
        try:
            with self.uow_factory(ETA).read_only() as uow:
                today = now.astimezone(LONDON).date()
                due = []
                for route in uow.routes.open_for_courier(courier_id, today):
                    if route.state is not RouteState.STARTED:
                        continue
                    state = uow.eta.state(route.id)
                    if state is None or now - state.computed_at >= self.ping_interval:
                        due.append(route.id)
        except Exception:
            log.exception("ETA check after pings of %s failed", courier_id)
            return
        for route_id in due:
            self.route(route_id)
