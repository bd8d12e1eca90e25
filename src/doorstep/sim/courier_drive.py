"""Couriers driving their routes over HTTP, so the demo's console opens on a day in progress.

Each driven courier logs in as the courier app would, starts its route, and then, one tick
at a time, moves towards its next stop sending positions (``POST /v1/courier/pings``), arrives, and
hands the parcels over with the proof the stop asks for (``POST /v1/courier/actions``) or,
now and then, fails the attempt as a real day has a few. The dispatcher's console sees
exactly what a real fleet would send: nothing here touches the database.

The demo first drives part of each route at once (``catch_up``), so that the day is already
under way when the console opens, then keeps driving on a timer in the background.
"""

from __future__ import annotations

import hashlib
import io
import logging
import random
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from PIL import Image, ImageDraw

from doorstep.sim.client import ApiError, DoorstepClient
from doorstep.sim.scenario import DEMO_PIN_DIGITS

logger = logging.getLogger(__name__)

TICKS_PER_LEG: Final = 3  # positions sent between two stops
FAIL_SHARE: Final = 0.07  # of doors: nobody in (a day with no failure is not a real day)
FIRST_FAILURE: Final = 2  # every driven route has one early failed attempt to handle
ADULT_BORN: Final = "1980-01-01"


def signature_png() -> bytes:
    """A small signature image: a scribble, as the courier app's pad would produce."""
    image = Image.new("RGB", (240, 80), "white")
    draw = ImageDraw.Draw(image)
    draw.line([(10, 60), (50, 20), (80, 55), (120, 25), (160, 58), (230, 30)], "black", 3)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


@dataclass
class Driver:
    """One courier on one route; :meth:`tick` moves the day on by one step."""

    client: DoorstepClient
    route_id: str
    hub: tuple[float, float]
    rng: random.Random
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    signature: str = ""
    stops: list[dict[str, Any]] = field(default_factory=list)
    position: tuple[float, float] = (0.0, 0.0)
    next_stop: int = 0
    legs_left: int = TICKS_PER_LEG
    started: bool = False
    finished: bool = False

    def begin(self) -> None:
        """Read the route, upload the signature once, start the route at the hub."""
        route = self.client.request("GET", f"/v1/routes/{self.route_id}")
        self.stops = [s for s in route["stops"] if s["state"] in ("pending", "arrived")]
        self.next_stop, self.legs_left = 0, TICKS_PER_LEG
        if self.position == (0.0, 0.0):  # first time: at the hub; later, where it was
            self.position = self.hub
        data = signature_png()
        self.signature = hashlib.sha256(data).hexdigest()
        self.client.upload_image(self.signature, data, "image/png")
        if route["state"] == "finished":
            self.finished = True
        elif route["state"] == "assigned":
            self._act("start_route")
        self.started = True

    def tick(self) -> bool:
        """One step: a position on the way, or the stop reached and served. False when done."""
        if self.finished:
            return False
        if not self.started:
            self.begin()
        if self.next_stop >= len(self.stops):
            self._act("finish_route")
            self.finished = True
            return False
        stop = self.stops[self.next_stop]
        target = (stop["lat"], stop["lon"])
        share = 1.0 / self.legs_left
        self.position = (
            self.position[0] + (target[0] - self.position[0]) * share,
            self.position[1] + (target[1] - self.position[1]) * share,
        )
        self._ping()
        self.legs_left -= 1
        if self.legs_left == 0:
            self._serve(stop)
            self.next_stop += 1
            self.legs_left = TICKS_PER_LEG
        return True

    def _serve(self, stop: dict[str, Any]) -> None:
        self._act("arrive", stop)
        if self.next_stop == FIRST_FAILURE or self.rng.random() < FAIL_SHARE:
            self._act("fail", stop, reason="recipient_not_home", note="No answer at the door")
            return
        answer = self._act("complete", stop, **self._handover(stop))
        if answer != "applied":  # a proof this sketch cannot give: the attempt fails
            self._act("fail", stop, reason="recipient_not_home", note="Could not hand over")

    def _handover(self, stop: dict[str, Any]) -> dict[str, Any]:
        needs = stop["proof"]
        methods = needs["methods"]
        barcodes = [p["barcode"] for p in stop["parcels"]]
        data: dict[str, Any] = {"scanned_barcodes": barcodes}
        if "recipient" in methods:
            data |= {"method": "recipient", "recipient_name": stop["recipient_first_name"]}
            data["signature"] = self.signature
        elif "safe_place" in methods:
            place = stop.get("safe_place_preference") or "Porch, behind the plant pot"
            data |= {"method": "safe_place", "safe_place": place, "photos": [self.signature]}
        else:
            data |= {"method": methods[0] if methods else "recipient", "photos": [self.signature]}
        if needs["pin_required"] and stop["parcels"]:  # demo orders only: see scenario
            data["pin"] = stop["parcels"][0]["reference"][-DEMO_PIN_DIGITS:]
        if needs["minimum_age"]:
            data["date_of_birth"] = ADULT_BORN
        return data

    def _ping(self) -> None:
        ping = {"lat": self.position[0], "lon": self.position[1], "accuracy_m": 8.0}
        self.client.request(
            "POST", "/v1/courier/pings", json={"pings": [ping | {"at": self._now()}]}
        )

    def _act(self, kind: str, stop: dict[str, Any] | None = None, **data: Any) -> str:
        action = {
            "client_event_id": uuid.uuid4().hex,
            "device_time": self._now(),
            "type": kind,
            "route_id": self.route_id,
            "stop_id": None if stop is None else stop["id"],
            "position": None
            if stop is None
            else {"lat": stop["lat"], "lon": stop["lon"], "accuracy_m": 8.0},
            "data": data,
        }
        body = self.client.request("POST", "/v1/courier/actions", json={"actions": [action]})
        result = body["results"][0]
        if result["status"] != "applied":
            logger.info("demo courier %s: %s %s", self.route_id, kind, result.get("message"))
        return str(result["status"])

    def _now(self) -> str:
        return self.clock().isoformat()


@dataclass(frozen=True, slots=True)
class Shift:
    """Who drives which route: the courier's login and the route."""

    email: str
    route_id: str


def drivers(
    base_url: str,
    shifts: Sequence[Shift],
    password: str,
    hub: tuple[float, float],
    *,
    seed: int,
) -> list[Driver]:
    """A logged-in driver per shift (not started yet)."""
    rng = random.Random(seed)
    return [
        Driver(DoorstepClient.login(base_url, s.email, password), s.route_id, hub, rng)
        for s in shifts
    ]


def catch_up(fleet: Sequence[Driver], share: float, stop: threading.Event | None = None) -> None:
    """Drive each route until ``share`` of its stops are served: the morning so far.
    The routes move on together, a stop at a time, until ``stop`` is set."""
    for driver in fleet:
        driver.begin()
    targets = [int(len(driver.stops) * share) for driver in fleet]
    behind = True
    while behind and not (stop and stop.is_set()):
        behind = False
        for driver, target in zip(fleet, targets, strict=True):
            if driver.next_stop < target and driver.tick():
                behind = True


def keep_driving(fleet: Sequence[Driver], stop: threading.Event, every_s: float) -> None:
    """Tick every driver every ``every_s`` seconds until ``stop`` is set or all are done.
    A server that refuses one step (a stop moved by the dispatcher) does not stop the day."""
    while not stop.wait(every_s):
        busy = False
        for driver in fleet:
            try:
                busy = driver.tick() or busy
            except ApiError as error:
                logger.info("demo courier on %s refused: %s", driver.route_id, error)
                driver.started = False  # read the route again on the next tick
                busy = True
        if not busy:
            return


def close(fleet: Sequence[Driver]) -> None:
    for driver in fleet:
        driver.client.close()
