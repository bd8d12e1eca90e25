"""A courier's day for the tracking page's tests: the recipients' tokens, and the moves a
courier makes (start, arrive, deliver, fail, a position) applied through the services."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from doorstep.domain.access import Principal
from doorstep.domain.model import GeoPoint
from doorstep.domain.pings import Ping
from doorstep.domain.route import Position
from doorstep.services import routes
from doorstep.services.pings import record_pings
from doorstep.services.ports import UnitOfWork
from doorstep.services.routes.courier_actions import ActionKind, CourierActionIn, Outcome
from tests import factories
from tests.courier_day import SYSTEM, CourierDay, dispatched_day
from tests.unit.fakes import FakeClock

Factory = Callable[[Principal], UnitOfWork]
T0 = factories.MORNING
PHOTO = hashlib.sha256(b"tracking-photo").hexdigest()
NEAR_STOP_0 = GeoPoint(51.5395, -0.1430)


@dataclass
class TrackingDay:
    day: CourierDay
    tokens: list[str]
    factory: Factory
    clock: FakeClock
    serial: int = 0
    photo: str = PHOTO

    def act(self, kind: ActionKind, stop: int | None = None, **data: object) -> None:
        self.serial += 1
        action = CourierActionIn(
            client_event_id=f"{kind.value}-{self.serial}",
            device_time=self.clock.now(),
            kind=kind,
            route_id=self.day.route_id,
            stop_id=None if stop is None else self.day.stop_ids[stop],
            position=Position(NEAR_STOP_0, 8.0),
            data=data,
        )
        [result] = routes.sync_actions(
            self.factory,
            self.day.courier_principal,
            [action],
            clock=self.clock,
            blob_exists=lambda sha: sha == self.photo,
        )
        assert result.status is Outcome.APPLIED, result

    def start(self) -> None:
        self.act(ActionKind.START_ROUTE)

    def deliver(self, stop: int, **evidence: object) -> None:
        self.act(ActionKind.ARRIVE, stop)
        data = evidence or {
            "method": "safe_place",
            "safe_place": "front porch",
            "photos": [self.photo],
        }
        self.act(ActionKind.COMPLETE, stop, scanned_barcodes=self.day.barcodes[stop], **data)

    def fail(self, stop: int, reason: str = "recipient_not_home") -> None:
        self.act(ActionKind.ARRIVE, stop)
        self.act(ActionKind.FAIL, stop, reason=reason, card_number="C-1")

    def ping(self, point: GeoPoint = NEAR_STOP_0, at: datetime | None = None) -> None:
        taken = at or self.clock.now()
        record_pings(
            self.factory(self.day.courier_principal),
            [Ping(at=taken, lat=point.lat, lon=point.lon, accuracy_m=5.0)],
            self.clock,
        )


def tracking_day(
    factory: Factory, *, stops: int = 5, clock: FakeClock | None = None, start: datetime = T0
) -> TrackingDay:
    """A dispatched day of ``stops`` orders (made the evening before ``start``), loaded."""
    made = {n: {"created_at": start - timedelta(hours=14)} for n in range(stops)}
    day = dispatched_day(factory, stops=stops, start=start, order_overrides=made)
    with factory(SYSTEM) as uow:
        orders = uow.orders.get_many(day.order_ids)
    tokens = [orders[order_id].tracking_token for order_id in day.order_ids]
    return TrackingDay(day, tokens, factory, clock or FakeClock(T0 + timedelta(minutes=1)))
