"""The exception queue over HTTP: an exception as the API shows it, and a resolution."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from doorstep.api.schemas.common import LongText, Public, Strict


class ExceptionPublic(Public):
    id: str = Field(description="`exc_...`")
    kind: str = Field(description="predicted_late, courier_stationary, route_not_started, ...")
    title: str = Field(description="The kind in words.")
    details: str = Field(description="What and where, in plain words.")
    route_id: str | None
    stop_id: str | None
    parcel_ids: list[str]
    order_ids: list[str]
    raised_at: dt.datetime
    state: str = Field(description="open or resolved")
    resolved_at: dt.datetime | None
    resolved_by: str | None
    resolution: str | None = Field(description="resolved_by_dispatcher or cause_gone")
    note: str | None


class ResolveIn(Strict):
    note: LongText = Field(description="What was done about it; kept in the audit log.")
