"""``/v1/courier``: what the courier app sends from the road (today: positions)."""

from __future__ import annotations

from fastapi import APIRouter

from doorstep.api.deps import CourierPrincipal, Services
from doorstep.api.problems import Problem
from doorstep.api.schemas.pings import PingBatch, PingsAccepted
from doorstep.domain.pings import Ping
from doorstep.services import pings
from doorstep.services.console.positions import publish_position
from doorstep.services.eta.refresh import EtaRefresh

router = APIRouter(prefix="/courier", tags=["courier"])
ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": Problem} for code in (401, 403, 409, 422)
}


@router.post("/pings", status_code=202, response_model=PingsAccepted, responses=ERRORS)
def send_pings(body: PingBatch, principal: CourierPrincipal, services: Services) -> PingsAccepted:
    """Store a batch of the calling courier's positions (1 to 100). All or nothing: a bad
    position refuses the batch with 422 naming it (``pings[3].lat``). Sending a batch
    twice stores it twice; positions are kept for ``DOORSTEP_PING_RETENTION_DAYS``."""
    batch = [
        Ping(
            at=ping.at,
            lat=ping.lat,
            lon=ping.lon,
            accuracy_m=ping.accuracy_m,
            speed_mps=ping.speed_mps,
            heading_deg=ping.heading_deg,
        )
        for ping in body.pings
    ]
    eta = EtaRefresh(services.uow_factory, services.clock, services.routing_for)
    accepted = pings.record_pings(
        services.uow_factory(principal),
        batch,
        services.clock,
        retention=services.ping_retention,
        after=eta.courier,
    )
    if accepted and principal.courier_id is not None:
        publish_position(
            services.uow_factory,
            services.broadcaster,
            services.clock,
            principal.courier_id,
            batch,
        )
    return PingsAccepted(accepted=accepted)
