"""Photo retention: a purge of proof-of-delivery images past their keeping time.

Photos show people's doors, cars and faces, so their files are deleted after the
retention period. The record of each blob stays, hash included: a proof made before the
purge can still be shown to be the one that was taken, just no longer displayed. A purge
is an aggregate of its own so that it records its event like any other change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from doorstep.domain.events import DomainEvent, drain, photos_purged


@dataclass(frozen=True, slots=True)
class PhotoPurge:
    """The blobs whose files one run deleted: ``sha256s`` created before ``created_before``."""

    sha256s: tuple[str, ...]
    created_before: datetime
    retention: timedelta
    at: datetime
    new_events: list[DomainEvent] = field(default_factory=list, compare=False, repr=False)

    @classmethod
    def of(
        cls, sha256s: Sequence[str], *, created_before: datetime, retention: timedelta, at: datetime
    ) -> PhotoPurge:
        if not sha256s:
            raise ValueError("a purge names at least one blob")
        purge = cls(tuple(sha256s), created_before, retention, at)
        purge.new_events.append(
            photos_purged(
                sha256s=purge.sha256s,
                created_before=created_before,
                retention_days=retention.days,
                at=at,
            )
        )
        return purge

    def collect_events(self) -> list[DomainEvent]:
        return drain(self.new_events)
