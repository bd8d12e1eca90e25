"""The tracking page's read model: what a recipient holding a token may see, nothing more.

One read-only unit of work, a few statements (:class:`~doorstep.services.ports.TrackingReads`
and the announced window), no decryption. The privacy rules live here once:
- the courier's position only while this stop is one of the next three to do, only from
  the last ten minutes, snapped to the road (a point with no road near is not shown),
  stepped to whole 30-second marks (everyone sees the same point for 30 s), and never
  once the stop is done;
- of the courier, the first name and the vehicle type; of anyone else, nothing;
- after delivery, the method, the time, the named safe place and the photos of where it
  was left (never a signature or a position).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from doorstep.domain.access import Principal
from doorstep.domain.delivery_policy import DeliveryPolicy
from doorstep.domain.eta import AnnouncedWindow
from doorstep.domain.model import GeoPoint
from doorstep.domain.tracking import final_at, token_expired, token_well_formed
from doorstep.domain.tracking_story import (
    HEADLINES,
    METHODS,
    PHOTO_METHODS,
    VEHICLES,
    Stage,
    Step,
    after_failure,
    failure_reason,
    first_name,
    stage_of,
)
from doorstep.services.blobs.signed_urls import BlobLinks
from doorstep.services.errors import NotFound, ServiceError
from doorstep.services.ports import (
    BlobVariant,
    Clock,
    TrackedMove,
    TrackedProof,
    TrackingFacts,
    UnitOfWorkFactory,
)
from doorstep.services.returns.policy import policy_of
from doorstep.services.tracking.appearance import logo_path
from doorstep.services.tracking.live import channels_of

READER: Final = Principal.system("tracking")
POSITION_STEP: Final = timedelta(seconds=30)
POSITION_MAX_AGE: Final = timedelta(minutes=10)
POSITION_STOPS: Final = 3  # shown while the stop is one of the next three
PHOTO_LINK_HOURS: Final = 24

SnapToRoad = Callable[[GeoPoint], GeoPoint | None]
"""A point -> the nearest point on the road network, or None when no road is near."""


def no_snapping(point: GeoPoint) -> GeoPoint | None:
    """Without a road network no position is shown: never a raw position."""
    return None


class TrackingExpired(ServiceError):
    """The order ended more than 30 days ago: its link shows nothing any more (410)."""

    def __init__(self) -> None:
        super().__init__("This tracking link has expired.")


@dataclass(frozen=True, slots=True)
class CourierShown:
    first_name: str
    vehicle: str


@dataclass(frozen=True, slots=True)
class PositionShown:
    point: GeoPoint
    at: datetime


@dataclass(frozen=True, slots=True)
class ProofShown:
    method: str
    at: datetime
    place: str | None
    photos: tuple[str, ...]  # links on our own origin (paths), display copies


@dataclass(frozen=True, slots=True)
class TrackingView:
    order_id: str
    brand_name: str
    brand_colour: str | None
    brand_logo: str | None  # a path on our own origin
    stage: Stage
    headline: str
    detail: str | None
    window: AnnouncedWindow | None
    promised: tuple[datetime, datetime] | None
    steps: tuple[Step, ...]
    courier: CourierShown | None
    stops_before: int | None
    position: PositionShown | None
    courier_near: bool  # this stop is one of the courier's next three: a position may show
    proof: ProofShown | None
    can_act: bool
    final_at: datetime | None
    channels: tuple[str, ...]  # what its live page listens to (services.tracking.live)

    @property
    def live(self) -> bool:
        """Whether the page has anything left to update."""
        return not self.stage.final


def tracking_view(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    token: str,
    *,
    links: BlobLinks,
    snap: SnapToRoad = no_snapping,
) -> TrackingView:
    """The page for ``token``; NotFound (unknown or malformed), TrackingExpired (ended)."""
    if not token_well_formed(token):
        raise NotFound("tracking link", "")
    now = clock.now()
    with uow_factory(READER).read_only() as uow:
        facts = uow.tracking.facts(token)
        if facts is None:
            raise NotFound("tracking link", "")
        final_at = _final_at(facts)
        if token_expired(final_at, now):
            raise TrackingExpired()
        parcel_ids = list(dict.fromkeys(move.parcel_id for move in facts.moves))
        # The rule of services.eta.latest_windows (the earliest of the order's stops'
        # windows), read by the parcel ids in hand rather than loading the order again.
        windows = uow.eta.latest_for_parcels(parcel_ids) if facts.stop else {}
        position = None
        if facts.stop is not None and _may_show_position(facts):
            mark = _step_down(now)
            found = uow.tracking.last_position(facts.stop.courier_id, mark - POSITION_MAX_AGE)
            if found is not None and found[1] <= mark:
                snapped = snap(found[0])
                position = PositionShown(snapped, mark) if snapped else None
        policy = policy_of(uow, facts.brand_id)
    window = min(windows.values(), key=lambda w: w.start) if windows else None
    return _view(facts, final_at, window, position, links, now, policy)


def _view(
    facts: TrackingFacts,
    final_at: datetime | None,
    window: AnnouncedWindow | None,
    position: PositionShown | None,
    links: BlobLinks,
    now: datetime,
    policy: DeliveryPolicy,
) -> TrackingView:
    stop = facts.stop
    next_stop = bool(stop and not _stop_done(facts) and stop.stops_before == 0)
    stage = stage_of(facts.states, next_stop=next_stop)
    if stage is Stage.AT_HUB and _failed_since_departure(facts.moves):
        stage = Stage.ATTEMPT_FAILED  # back at the hub after a failed attempt: say so
    on_the_road = stage in (Stage.OUT_FOR_DELIVERY, Stage.NEXT_STOP)
    courier = None
    if stop is not None and on_the_road:
        courier = CourierShown(first_name(stop.courier_name), VEHICLES.get(stop.vehicle_type, ""))
    logo = logo_path(facts.brand_id, facts.brand_logo) if facts.brand_logo else None
    return TrackingView(
        order_id=facts.order_id,
        brand_name=facts.brand_name,
        brand_colour=facts.brand_colour,
        brand_logo=logo,
        stage=stage,
        headline=HEADLINES[stage],
        detail=_detail(stage, facts, policy),
        window=window if on_the_road else None,
        promised=facts.promised,
        steps=_steps(facts, stage),
        courier=courier,
        stops_before=stop.stops_before if stop is not None and on_the_road else None,
        position=position if on_the_road else None,
        courier_near=on_the_road and _may_show_position(facts),
        proof=_proof(facts.proofs, links, now) if stage is Stage.DELIVERED else None,
        can_act=not stage.final and stage is not Stage.RETURNING,
        final_at=final_at,
        channels=channels_of(facts),
    )


def _final_at(facts: TrackingFacts) -> datetime | None:
    return final_at(facts.states, (move.at for move in facts.moves), facts.created_at)


def _failed_since_departure(moves: tuple[TrackedMove, ...]) -> bool:
    failed, departed = _last(moves, "fail_attempt"), _last(moves, "depart")
    return failed is not None and (departed is None or departed.at <= failed.at)


def _stop_done(facts: TrackingFacts) -> bool:
    return facts.stop is None or facts.stop.stop_state not in ("pending", "arrived")


def _may_show_position(facts: TrackingFacts) -> bool:
    stop = facts.stop
    return (
        stop is not None
        and stop.route_state == "started"
        and not _stop_done(facts)
        and stop.stops_before < POSITION_STOPS
        and "out_for_delivery" in facts.states
    )


def _step_down(now: datetime) -> datetime:
    seconds = POSITION_STEP.total_seconds()
    return datetime.fromtimestamp(now.timestamp() // seconds * seconds, UTC)


def _first(moves: tuple[TrackedMove, ...], action: str) -> datetime | None:
    return next((move.at for move in moves if move.action == action), None)


def _last(moves: tuple[TrackedMove, ...], action: str) -> TrackedMove | None:
    found = [move for move in moves if move.action == action]
    return found[-1] if found else None


_RANK: Final = (
    Stage.CREATED,
    Stage.AT_HUB,
    Stage.OUT_FOR_DELIVERY,
    Stage.NEXT_STOP,
    Stage.DELIVERED,
)


def _steps(facts: TrackingFacts, stage: Stage) -> tuple[Step, ...]:
    """Label created, at the hub, out for delivery, next stop, delivered (or what failed)."""
    moves = facts.moves
    received, departed = _first(moves, "receive"), _last(moves, "depart")
    delivered, failed = _last(moves, "deliver"), _last(moves, "fail_attempt")
    reached = _RANK.index(stage) if stage in _RANK else -1
    steps = [
        Step("Label created", facts.created_at, True, stage is Stage.CREATED),
        Step("At our London hub", received, received is not None, stage is Stage.AT_HUB),
        Step(
            "Out for delivery",
            departed.at if departed else None,
            departed is not None,
            stage is Stage.OUT_FOR_DELIVERY,
        ),
    ]
    if failed is not None:
        note = f"Reason: {failure_reason(failed.reason_code)}."
        current = stage is Stage.ATTEMPT_FAILED
        steps.append(Step("Delivery attempt failed", failed.at, True, current, note))
    if stage in (Stage.CANCELLED, Stage.RETURNING, Stage.RETURNED):
        steps.append(Step(HEADLINES[stage], moves[-1].at if moves else None, True, True))
        return tuple(steps)
    steps.append(
        Step("Next stop", None, reached >= _RANK.index(Stage.NEXT_STOP), stage is Stage.NEXT_STOP)
    )
    done = delivered is not None and stage is Stage.DELIVERED
    steps.append(Step("Delivered", delivered.at if done and delivered else None, done, done))
    return tuple(steps)


def _detail(stage: Stage, facts: TrackingFacts, policy: DeliveryPolicy) -> str | None:
    if stage is Stage.ATTEMPT_FAILED:
        failed = _last(facts.moves, "fail_attempt")
        reason = failure_reason(failed.reason_code if failed else None)
        return f"Reason: {reason}. {after_failure(_attempts(facts.moves), False, policy)}"
    if stage is Stage.RETURNING:
        return after_failure(0, returning=True)
    if stage is Stage.NEXT_STOP:
        return "Your courier is on the way to you now."
    return None


def _attempts(moves: tuple[TrackedMove, ...]) -> int:
    """Failed attempts of the parcel tried most (the policy counts per parcel: an order's
    parcels failing at one door are one attempt, not several)."""
    counts = Counter(move.parcel_id for move in moves if move.action == "fail_attempt")
    return max(counts.values(), default=0)


def _proof(proofs: tuple[TrackedProof, ...], links: BlobLinks, now: datetime) -> ProofShown | None:
    delivered = [proof for proof in proofs if proof.outcome == "delivered"]
    if not delivered:
        return None
    proof = delivered[-1]
    method = proof.method or ""
    photos = proof.photos if method in PHOTO_METHODS else ()
    return ProofShown(
        method=METHODS.get(method, "Delivered"),
        at=proof.recorded_at,
        place=proof.safe_place if method == "safe_place" else None,
        photos=tuple(_path(links, sha, now) for sha in photos),
    )


def _path(links: BlobLinks, sha256: str, now: datetime) -> str:
    """A signed link to the display copy, as a path on our own origin. It expires at a
    whole hour a day ahead, so a page rendered twice in the same hour is the same page."""
    hour = now.replace(minute=0, second=0, microsecond=0)
    url = links.signed_url(sha256, BlobVariant.DISPLAY, hour + timedelta(hours=PHOTO_LINK_HOURS))
    return url[url.index("/v1/blobs/") :]
