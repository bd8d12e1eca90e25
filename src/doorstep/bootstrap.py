"""The composition root: the one place that picks implementations and wires them."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import FastAPI

from doorstep.api import create_app
from doorstep.config import Settings
from doorstep.security import Argon2PasswordHasher
from doorstep.services.container import Container
from doorstep.services.ports import PasswordHasher
from doorstep.store.crypto import FernetCipher
from doorstep.store.database import create_engine_for
from doorstep.store.migrate import check_schema_current
from doorstep.store.uow import make_uow_factory


class SystemClock:
    """The real clock, in UTC. Tests and the simulator pass their own."""

    def now(self) -> datetime:
        return datetime.now(UTC)


def build_container(
    settings: Settings, *, passwords: PasswordHasher | None = None, check_schema: bool = True
) -> Container:
    """Engine, unit of work (sensitive fields encrypted), clock and password hasher.

    Refuses (``SchemaOutdated``) a database whose schema is not the code's: run
    ``doorstep db upgrade`` first. ``passwords`` lets tests use a cheaper Argon2 cost.
    """
    engine = create_engine_for(settings.effective_database_url)
    if check_schema:
        check_schema_current(engine)
    return Container(
        uow_factory=make_uow_factory(engine, FernetCipher(settings.secret_key)),
        clock=SystemClock(),
        passwords=passwords or Argon2PasswordHasher(),
        secret_key=settings.secret_key,
        public_url=settings.public_url,
        on_close=engine.dispose,
    )


def build_app(settings: Settings) -> FastAPI:
    """The HTTP API wired for ``settings`` (what ``uvicorn --factory`` and the CLI serve)."""
    return create_app(build_container(settings))
