"""What the entry points (API, web pages, jobs) are given: the ports, chosen by bootstrap."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from doorstep.services.ports import Clock, PasswordHasher, UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class Container:
    uow_factory: UnitOfWorkFactory
    clock: Clock
    passwords: PasswordHasher
    secret_key: str  # signs operator tokens; never the demo default in production
    public_url: str  # where tracking links point, e.g. ``https://deliver.example``
    token_ttl: timedelta = timedelta(hours=12)
    on_close: Callable[[], None] = field(default=lambda: None)  # releases the engine

    def close(self) -> None:
        self.on_close()

    @property
    def tracking_base_url(self) -> str:
        return self.public_url.rstrip("/") + "/t/"
