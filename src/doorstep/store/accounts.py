"""Users, brands' API keys, saved idempotent answers and the audit log."""

from __future__ import annotations

import base64
from datetime import datetime

from sqlalchemy import delete, func, select, update

from doorstep.domain.model import Role
from doorstep.services.ports import ApiKey, AuditEntry, IdempotencyRecord, User
from doorstep.store.base import SqlRepository
from doorstep.store.crypto import FieldCipher
from doorstep.store.scoping import pk_of, scoped
from doorstep.store.tables import (
    ApiKeyRow,
    AuditRow,
    BrandRow,
    CourierRow,
    IdempotencyKeyRow,
    UserRow,
)


def _user(row: UserRow) -> User:
    return User(
        id=row.public_id,
        email=row.email,
        name=row.name,
        role=Role(row.role),
        password_hash=row.password_hash,
        courier_id=row.courier.public_id if row.courier else None,
        active=row.active,
    )


class SqlUserRepository(SqlRepository):
    """Emails are stored lower-case: one address, one user, however it is typed."""

    def add(self, user: User) -> None:
        with self.savepoint():
            courier_pk = None
            if user.courier_id is not None:
                courier_pk = pk_of(
                    self.session, self.principal, CourierRow, user.courier_id, "courier_id"
                )
            self.session.add(
                UserRow(
                    public_id=user.id,
                    email=user.email.strip().lower(),
                    name=user.name,
                    role=user.role.value,
                    password_hash=user.password_hash,
                    courier_pk=courier_pk,
                    active=user.active,
                )
            )

    def get(self, user_id: str) -> User | None:
        row = self.session.scalar(select(UserRow).where(UserRow.public_id == user_id))
        return None if row is None else _user(row)

    def get_by_email(self, email: str) -> User | None:
        query = select(UserRow).where(UserRow.email == func.lower(email.strip()))
        row = self.session.scalar(query)
        return None if row is None else _user(row)

    def list(self) -> list[User]:
        return [_user(row) for row in self.session.scalars(select(UserRow).order_by(UserRow.email))]

    def deactivate(self, user_id: str) -> None:
        with self.savepoint():
            self.session.execute(
                update(UserRow).where(UserRow.public_id == user_id).values(active=False)
            )


def _api_key(row: ApiKeyRow) -> ApiKey:
    return ApiKey(
        id=row.public_id,
        brand_id=row.brand.public_id,
        prefix=row.prefix,
        secret_hash=row.secret_hash,
        created_at=row.created_at,
        name=row.name,
        revoked_at=row.revoked_at,
    )


class SqlApiKeyRepository(SqlRepository):
    def add(self, key: ApiKey) -> None:
        with self.savepoint():
            brand_pk = pk_of(self.session, self.principal, BrandRow, key.brand_id, "brand_id")
            self.session.add(
                ApiKeyRow(
                    public_id=key.id,
                    brand_pk=brand_pk,
                    prefix=key.prefix,
                    secret_hash=key.secret_hash,
                    name=key.name,
                    created_at=key.created_at,
                    revoked_at=key.revoked_at,
                )
            )

    def get(self, key_id: str) -> ApiKey | None:
        query = scoped(self.principal, ApiKeyRow).where(ApiKeyRow.public_id == key_id)
        row = self.session.scalar(query)
        return None if row is None else _api_key(row)

    def revoke(self, key_id: str, at: datetime) -> None:
        with self.savepoint():
            row = self.session.scalar(
                scoped(self.principal, ApiKeyRow).where(ApiKeyRow.public_id == key_id)
            )
            if row is not None and row.revoked_at is None:
                row.revoked_at = at

    def get_by_prefix(self, prefix: str) -> ApiKey | None:
        query = scoped(self.principal, ApiKeyRow).where(ApiKeyRow.prefix == prefix)
        row = self.session.scalar(query)
        return None if row is None else _api_key(row)

    def list_for_brand(self, brand_id: str) -> list[ApiKey]:
        query = (
            scoped(self.principal, ApiKeyRow)
            .join(BrandRow, ApiKeyRow.brand_pk == BrandRow.pk)
            .where(BrandRow.public_id == brand_id)
            .order_by(ApiKeyRow.created_at, ApiKeyRow.pk)
        )
        return [_api_key(row) for row in self.session.scalars(query)]


class SqlIdempotencyRepository(SqlRepository):
    """Keyed by the caller (owner) and its key: two callers never share an answer.

    A saved body is an answer as sent, so it may hold a recipient's phone number or a
    safe-place note: it is kept encrypted with the field cipher, like those fields are.
    """

    def get(self, owner: str, key: str, *, not_before: datetime) -> IdempotencyRecord | None:
        row = self.session.scalar(
            select(IdempotencyKeyRow).where(
                IdempotencyKeyRow.owner == owner,
                IdempotencyKeyRow.key == key,
                IdempotencyKeyRow.created_at >= not_before,
            )
        )
        if row is None:
            return None
        return IdempotencyRecord(
            owner=row.owner,
            key=row.key,
            request_hash=row.request_hash,
            status_code=row.status_code,
            body=_open_body(self.cipher, row.body),
            content_type=row.content_type,
            created_at=row.created_at,
            headers={str(k): str(v) for k, v in row.headers.items()},
        )

    def add(self, record: IdempotencyRecord) -> None:
        self.insert(
            IdempotencyKeyRow(
                owner=record.owner,
                key=record.key,
                request_hash=record.request_hash,
                status_code=record.status_code,
                body=_seal_body(self.cipher, record.body),
                content_type=record.content_type,
                created_at=record.created_at,
                headers=dict(record.headers),
            )
        )

    def purge(self, *, before: datetime) -> int:
        result = self.session.execute(
            delete(IdempotencyKeyRow).where(IdempotencyKeyRow.created_at < before)
        )
        return int(getattr(result, "rowcount", 0) or 0)


def _seal_body(cipher: FieldCipher, body: bytes) -> bytes:
    """Bytes need not be text: the cipher gets them base64-encoded."""
    return cipher.encrypt(base64.b64encode(body).decode("ascii")).encode("ascii")


def _open_body(cipher: FieldCipher, stored: bytes) -> bytes:
    return base64.b64decode(cipher.decrypt(bytes(stored).decode("ascii")))


class SqlAuditLog(SqlRepository):
    def add(self, entry: AuditEntry) -> None:
        self.insert(
            AuditRow(
                at=entry.at,
                actor=entry.actor,
                action=entry.action,
                target_id=entry.target_id,
                details=dict(entry.details),
            )
        )

    def list_for(self, target_id: str) -> list[AuditEntry]:
        query = (
            select(AuditRow)
            .where(AuditRow.target_id == target_id)
            .order_by(AuditRow.at, AuditRow.pk)
        )
        return [_audit_entry(row) for row in self.session.scalars(query)]

    def list_recent(self, limit: int, offset: int = 0) -> list[AuditEntry]:
        query = (
            select(AuditRow)
            .order_by(AuditRow.at.desc(), AuditRow.pk.desc())
            .limit(limit)
            .offset(offset)
        )
        return [_audit_entry(row) for row in self.session.scalars(query)]


def _audit_entry(row: AuditRow) -> AuditEntry:
    return AuditEntry(
        at=row.at,
        actor=row.actor,
        action=row.action,
        target_id=row.target_id,
        details={str(k): str(v) for k, v in row.details.items()},
    )
