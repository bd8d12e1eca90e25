"""Notification messages, brands' notification settings and SMS opt-outs.

Not scoped to a brand: only the system (relay, send job, the inbound SMS webhook) reads
messages and opt-outs, and the settings use cases check who may read a brand's settings
before they get here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from doorstep.domain.notifications import (
    Channel,
    MessageStatus,
    NotificationKind,
    NotificationMessage,
    NotificationSettings,
    TemplateOverride,
)
from doorstep.store.base import SqlRepository
from doorstep.store.tables import NotificationMessageRow, NotificationSettingsRow, SmsOptOutRow


class SqlNotificationRepository(SqlRepository):
    def add(self, message: NotificationMessage) -> None:
        row = NotificationMessageRow(public_id=message.id)
        _fill(row, message)
        self.insert(row)

    def exists(self, order_id: str, channel: str, dedupe_key: str) -> bool:
        query = select(NotificationMessageRow.pk).where(
            NotificationMessageRow.order_id == order_id,
            NotificationMessageRow.channel == channel,
            NotificationMessageRow.dedupe_key == dedupe_key,
        )
        return self.session.scalar(query.limit(1)) is not None

    def get(self, message_id: str) -> NotificationMessage | None:
        row = self._row(message_id)
        return _message(row) if row is not None else None

    def due(self, now: datetime, limit: int) -> list[str]:
        query = (
            select(NotificationMessageRow.public_id)
            .where(
                NotificationMessageRow.status == MessageStatus.PENDING.value,
                NotificationMessageRow.not_before <= now,
            )
            .order_by(NotificationMessageRow.not_before, NotificationMessageRow.pk)
            .limit(limit)
        )
        return list(self.session.scalars(query))

    def claim(self, message_id: str, now: datetime) -> NotificationMessage | None:
        claimed = self.session.execute(
            update(NotificationMessageRow)
            .where(
                NotificationMessageRow.public_id == message_id,
                NotificationMessageRow.status == MessageStatus.PENDING.value,
                NotificationMessageRow.not_before <= now,
            )
            .values(
                status=MessageStatus.SENDING.value,
                attempts=NotificationMessageRow.attempts + 1,
                sent_at=now,  # when this attempt began, until it is sent
            )
            .execution_options(synchronize_session=False)
        )
        if getattr(claimed, "rowcount", 0) != 1:
            return None
        self.session.expire_all()
        return self.get(message_id)

    def stale_sending(self, before: datetime, limit: int) -> list[NotificationMessage]:
        rows = self.session.scalars(
            select(NotificationMessageRow)
            .where(
                NotificationMessageRow.status == MessageStatus.SENDING.value,
                NotificationMessageRow.sent_at < before,
            )
            .order_by(NotificationMessageRow.pk)
            .limit(limit)
        )
        return [_message(row) for row in rows]

    def save(self, message: NotificationMessage) -> None:
        row = self._row(message.id)
        if row is None:
            raise LookupError(message.id)
        _fill(row, message)
        self.session.flush()

    def list_for_order(self, order_id: str) -> list[NotificationMessage]:
        rows = self.session.scalars(
            select(NotificationMessageRow)
            .where(NotificationMessageRow.order_id == order_id)
            .order_by(NotificationMessageRow.pk)
        )
        return [_message(row) for row in rows]

    def _row(self, message_id: str) -> NotificationMessageRow | None:
        return self.session.scalar(
            select(NotificationMessageRow).where(NotificationMessageRow.public_id == message_id)
        )


def _fill(row: NotificationMessageRow, message: NotificationMessage) -> None:
    row.outbox_id = message.outbox_id
    row.brand_id = message.brand_id
    row.order_id = message.order_id
    row.channel = message.channel.value
    row.kind = message.kind.value
    row.dedupe_key = message.dedupe_key
    row.created_at = message.created_at
    row.not_before = message.not_before
    row.context = dict(message.context)
    row.status = message.status.value
    row.attempts = message.attempts
    row.sent_at = message.sent_at
    row.error = message.error[:500] if message.error else None
    row.provider_id = message.provider_id


def _message(row: NotificationMessageRow) -> NotificationMessage:
    return NotificationMessage(
        id=row.public_id,
        outbox_id=row.outbox_id,
        brand_id=row.brand_id,
        order_id=row.order_id,
        channel=Channel(row.channel),
        kind=NotificationKind(row.kind),
        dedupe_key=row.dedupe_key,
        created_at=row.created_at,
        not_before=row.not_before,
        context=dict(row.context),
        status=MessageStatus(row.status),
        attempts=row.attempts,
        sent_at=row.sent_at,
        error=row.error,
        provider_id=row.provider_id,
    )


class SqlNotificationSettingsRepository(SqlRepository):
    def get(self, brand_id: str) -> NotificationSettings | None:
        row = self._row(brand_id)
        if row is None:
            return None
        overrides: dict[tuple[NotificationKind, Channel], TemplateOverride] = {}
        for key, value in row.overrides.items():
            channel, kind = key.split("/", 1)
            overrides[(NotificationKind(kind), Channel(channel))] = TemplateOverride(
                subject=value.get("subject"), text=value.get("text")
            )
        return NotificationSettings(
            brand_id=row.brand_id,
            enabled={
                Channel(channel): frozenset(NotificationKind(kind) for kind in kinds)
                for channel, kinds in row.enabled.items()
            },
            sender_name=row.sender_name,
            reply_to=row.reply_to,
            overrides=overrides,
        )

    def save(self, settings: NotificationSettings) -> None:
        row = self._row(settings.brand_id)
        if row is None:
            row = NotificationSettingsRow(brand_id=settings.brand_id)
            self.session.add(row)
        row.enabled = {
            channel.value: sorted(kind.value for kind in kinds)
            for channel, kinds in settings.enabled.items()
        }
        row.sender_name = settings.sender_name
        row.reply_to = settings.reply_to
        overrides: dict[str, Any] = {}
        for (kind, channel), override in settings.overrides.items():
            overrides[f"{channel.value}/{kind.value}"] = {
                "subject": override.subject,
                "text": override.text,
            }
        row.overrides = overrides
        with self.savepoint():
            pass

    def _row(self, brand_id: str) -> NotificationSettingsRow | None:
        return self.session.scalar(
            select(NotificationSettingsRow).where(NotificationSettingsRow.brand_id == brand_id)
        )


class SqlSmsOptOuts(SqlRepository):
    def is_opted_out(self, phone_key: str) -> bool:
        row = self._row(phone_key)
        return row is not None and row.opted_out

    def record(self, phone_key: str, opted_out: bool, at: datetime) -> None:
        row = self._row(phone_key)
        if row is None:
            self.insert(SmsOptOutRow(phone_key=phone_key, opted_out=opted_out, changed_at=at))
            return
        row.opted_out = opted_out
        row.changed_at = at
        self.session.flush()

    def _row(self, phone_key: str) -> SmsOptOutRow | None:
        return self.session.scalar(select(SmsOptOutRow).where(SmsOptOutRow.phone_key == phone_key))
