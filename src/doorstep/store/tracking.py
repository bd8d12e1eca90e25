"""The tracking page's reads (:class:`~doorstep.services.ports.TrackingReads`).

The page is opened by anyone holding a token, often and all at once (the "out for
delivery" message goes to a whole route's recipients), so it reads plain columns in a few
statements and never builds the aggregates: no decryption (but a safe place's name once
delivered), no history hashes. It selects
only what the page may show: no names, phones or addresses of the recipient or anyone
else, and of the courier only the name (the page cuts it to the first) and vehicle type.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from doorstep.domain.model import GeoPoint
from doorstep.services.ports import (
    TrackedMove,
    TrackedProof,
    TrackedStop,
    TrackingFacts,
)
from doorstep.store.base import SqlRepository
from doorstep.store.crypto import unseal
from doorstep.store.tables import (
    BrandRow,
    CourierPingRow,
    CourierRow,
    OrderRow,
    ParcelEventRow,
    ParcelRow,
    ProofRow,
    RouteParcelRow,
    RouteRow,
    RouteStopRow,
    VehicleRow,
)

_OPEN_STOP_STATES = ("pending", "arrived")
_PROOF_STATES = frozenset({"delivered", "attempt_failed", "returning", "returned_to_sender"})


class SqlTrackingReads(SqlRepository):
    def facts(self, token: str) -> TrackingFacts | None:
        head = self.session.execute(
            select(
                OrderRow.pk,
                OrderRow.public_id,
                OrderRow.created_at,
                OrderRow.window_start,
                OrderRow.window_end,
                BrandRow.public_id,
                BrandRow.name,
                BrandRow.colour,
                BrandRow.logo_sha256,
            )
            .join(BrandRow, BrandRow.pk == OrderRow.brand_pk)
            .where(OrderRow.tracking_token == token)
        ).one_or_none()
        if head is None:
            return None
        order_pk, order_id, created_at, start, end, brand_id, brand_name, colour, logo = head
        states, moves = self._history(order_pk)
        seen = {move.to_state for move in moves} | set(states)
        return TrackingFacts(
            order_id=order_id,
            brand_id=brand_id,
            brand_name=brand_name,
            brand_colour=colour,
            brand_logo=logo,
            created_at=created_at,
            promised=(start, end) if start is not None and end is not None else None,
            states=states,
            moves=moves,
            stop=self._stop(order_pk),
            proofs=self._proofs(order_pk) if seen & _PROOF_STATES else (),
        )

    def last_position(self, courier_id: str, since: datetime) -> tuple[GeoPoint, datetime] | None:
        courier_pk = select(CourierRow.pk).where(CourierRow.public_id == courier_id)
        row = self.session.execute(
            select(CourierPingRow.lat, CourierPingRow.lon, CourierPingRow.at)
            .where(
                CourierPingRow.courier_pk == courier_pk.scalar_subquery(),
                CourierPingRow.at >= since,
            )
            .order_by(CourierPingRow.at.desc())
            .limit(1)
        ).one_or_none()
        return None if row is None else (GeoPoint(row.lat, row.lon), row.at)

    def _history(self, order_pk: int) -> tuple[tuple[str, ...], tuple[TrackedMove, ...]]:
        rows = self.session.execute(
            select(
                ParcelRow.public_id,
                ParcelRow.state,
                ParcelEventRow.action,
                ParcelEventRow.to_state,
                ParcelEventRow.at,
                ParcelEventRow.reason_code,
            )
            .outerjoin(ParcelEventRow, ParcelEventRow.parcel_pk == ParcelRow.pk)
            .where(ParcelRow.order_pk == order_pk)
            .order_by(ParcelRow.pk, ParcelEventRow.sequence)
        ).all()
        states: dict[str, str] = {}
        moves: list[TrackedMove] = []
        for parcel_id, state, action, to_state, at, reason in rows:
            states[parcel_id] = state
            if action is not None:
                moves.append(TrackedMove(parcel_id, action, to_state, at, reason))
        moves.sort(key=lambda move: move.at)
        return tuple(states.values()), tuple(moves)

    def _stop(self, order_pk: int) -> TrackedStop | None:
        """The order's stop on its latest route (a failed attempt's route stays until the
        parcel rides another), and how many of that route's stops come before it."""
        other = aliased(RouteStopRow)
        before = (
            select(func.count(other.pk))
            .where(
                other.route_pk == RouteStopRow.route_pk,
                other.sequence < RouteStopRow.sequence,
                other.state.in_(_OPEN_STOP_STATES),
            )
            .correlate(RouteStopRow)
            .scalar_subquery()
        )
        row = self.session.execute(
            select(
                RouteRow.public_id,
                RouteStopRow.public_id,
                RouteRow.state,
                RouteStopRow.state,
                before,
                RouteStopRow.done_at,
                CourierRow.public_id,
                CourierRow.name,
                VehicleRow.vehicle_type,
            )
            .select_from(RouteParcelRow)
            .join(ParcelRow, ParcelRow.pk == RouteParcelRow.parcel_pk)
            .join(RouteStopRow, RouteStopRow.pk == RouteParcelRow.stop_pk)
            .join(RouteRow, RouteRow.pk == RouteParcelRow.route_pk)
            .join(CourierRow, CourierRow.pk == RouteRow.courier_pk)
            .join(VehicleRow, VehicleRow.pk == RouteRow.vehicle_pk)
            .where(and_(ParcelRow.order_pk == order_pk, RouteParcelRow.active.is_(True)))
            .order_by(RouteRow.pk.desc())
            .limit(1)
        ).one_or_none()
        if row is None:
            return None
        return TrackedStop(
            route_id=row[0],
            stop_id=row[1],
            route_state=row[2],
            stop_state=row[3],
            stops_before=int(row[4]),
            done_at=row[5],
            courier_id=row[6],
            courier_name=row[7],
            vehicle_type=row[8],
        )

    def _proofs(self, order_pk: int) -> tuple[TrackedProof, ...]:
        rows = self.session.scalars(
            select(ProofRow).where(ProofRow.order_pk == order_pk).order_by(ProofRow.recorded_at)
        )
        return tuple(
            TrackedProof(
                outcome=row.outcome,
                method=row.method,
                reason=row.reason,
                photos=tuple(row.photos),
                recorded_at=row.recorded_at,
                safe_place=unseal(self.cipher, row.evidence.get("safe_place")),
            )
            for row in rows
        )
