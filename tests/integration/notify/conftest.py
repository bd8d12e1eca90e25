"""A brand with an order whose recipient has an e-mail address and a phone, and the
relay and send job as the queue runs them, with a clock the test moves."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from doorstep.domain.model import Order, Recipient
from doorstep.domain.notifications import NotificationMessage
from doorstep.notify.log_senders import LogEmailSender, LogSmsSender
from doorstep.services.notifications.intake import notification_handler
from doorstep.services.notifications.send import Senders, SendReport, send_due
from doorstep.services.ports import EmailSender, SmsSender
from doorstep.services.relay import relay_pending
from tests import factories
from tests.integration.store.conftest import SYSTEM, UowFactory
from tests.unit.fakes import FakeClock

SECRET = "notify-test-secret"
TRACKING = "https://deliver.example/t/"
EMAIL = "ada@example.com"
PHONE = "+447700900123"
AFTERNOON = datetime(2026, 12, 2, 14, 0, tzinfo=UTC)  # Wednesday, GMT


@dataclass
class Shop:
    uow_factory: UowFactory
    clock: FakeClock
    brand_id: str

    def order(
        self, parcels: int = 1, *, email: str | None = EMAIL, phone: str | None = PHONE
    ) -> Order:
        """A new order of the brand, committed (its ``order.created`` is in the outbox)."""
        who = Recipient(name="Ada Lovelace", email=email, phone=phone)
        order = factories.order(brand_id=self.brand_id, parcels=parcels, recipient=who)
        with self.uow_factory(SYSTEM) as uow:
            uow.orders.add(order)
            uow.commit()
        return order

    def relay(self) -> int:
        return relay_pending(self.uow_factory, self.clock, [notification_handler(self.clock)])

    def send(self, email: EmailSender | None = None, sms: SmsSender | None = None) -> SendReport:
        senders = Senders(
            email=email or LogEmailSender(),
            sms=sms or LogSmsSender(),
            email_from="no-reply@deliver.example",
            tracking_base_url=TRACKING,
            secret=SECRET,
        )
        return send_due(self.uow_factory, self.clock, senders)

    def messages(self, order_id: str) -> Sequence[NotificationMessage]:
        with self.uow_factory(SYSTEM).read_only() as uow:
            return uow.notifications.list_for_order(order_id)


@pytest.fixture
def shop(uow_factory: UowFactory) -> Shop:
    brand = factories.brand()
    with uow_factory(SYSTEM) as uow:
        uow.brands.add(brand)
        uow.commit()
    return Shop(uow_factory, FakeClock(AFTERNOON), brand.id)
