"""What every repository shares: the session, the principal, the cipher, one insert path."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from doorstep.domain.access import Principal
from doorstep.store.crypto import FieldCipher
from doorstep.store.errors import translated
from doorstep.store.tables import Base

IN_CHUNK = 500  # ids per IN (...): far below every database's limit on parameters


class SqlRepository:
    def __init__(self, session: Session, principal: Principal, cipher: FieldCipher) -> None:
        self.session = session
        self.principal = principal
        self.cipher = cipher

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """Write in a savepoint, flushed at the end: a refusal (Conflict, StaleObject,
        InvalidValue) undoes only this write and leaves the unit of work usable."""
        with translated(), self.session.begin_nested():
            yield

    def insert(self, *rows: Base) -> None:
        with self.savepoint():
            self.session.add_all(rows)
