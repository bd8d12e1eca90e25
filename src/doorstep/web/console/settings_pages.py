"""``/console/settings``: what this server is set to (read-only: settings come from the
environment, ``DOORSTEP_...``), and the way to each brand's delivery policy."""

from __future__ import annotations

from typing import Final

from fastapi import APIRouter, Request
from fastapi.responses import Response

from doorstep.web.console import render
from doorstep.web.console.render import config_of
from doorstep.web.console.session import ConsoleUser, container_of

router = APIRouter()
PATH: Final = "/console/settings"
POLICY_PATH: Final = "/console/settings/delivery-policy"


@router.get(PATH)
async def settings_page(request: Request, user: ConsoleUser) -> Response:
    container = container_of(request)
    facts = [
        ("Public address (tracking links)", container.public_url),
        ("Demo mode", "no" if container.strict_transport else "yes (cookies without Secure)"),
        ("Courier positions kept for", f"{container.ping_retention.days} days"),
        ("Proof photos kept for", f"{container.photo_retention.days} days"),
        ("Operator sessions last", f"{int(container.token_ttl.total_seconds() // 3600)} hours"),
        ("Map tiles", config_of(request).tile_url or "none: the packaged road network"),
        ("Geofence at delivery", f"{container.geofence_radius_m:.0f} m"),
    ]
    return render.page(
        request,
        "console/settings.html",
        user=user,
        section="settings",
        facts=facts,
        policy_path=POLICY_PATH,
    )
