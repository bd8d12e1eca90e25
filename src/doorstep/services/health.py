"""Is this server fit to take requests? A load balancer asks ``/health``; so does a person."""

from __future__ import annotations

from dataclasses import dataclass

from doorstep.services.ports import UnitOfWork


@dataclass(frozen=True, slots=True)
class Health:
    ok: bool
    version: str
    database: str  # "ok", or why not

    def as_dict(self) -> dict[str, object]:
        return {"status": "ok" if self.ok else "unavailable", "version": self.version,
                "database": self.database}  # fmt: skip


def check_health(uow: UnitOfWork, version: str) -> Health:
    """One small read: the database answers, at the schema this code expects."""
    try:
        with uow.read_only():
            uow.hubs.list()
    except Exception as error:  # whatever stops one read makes the server unfit; say which
        return Health(ok=False, version=version, database=type(error).__name__)
    return Health(ok=True, version=version, database="ok")
