"""The protocols the use cases need; adapters (store, notify, geo, ...) satisfy them.

Every repository is scoped to the :class:`~doorstep.domain.access.Principal` the unit of
work was opened for: a brand's unit of work simply cannot see another brand's rows, so a
foreign id looks exactly like a missing one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from types import TracebackType
from typing import Any, Generic, Protocol, Self, TypeVar

from doorstep.domain.access import Principal
from doorstep.domain.chain import ParcelChain
from doorstep.domain.delivery_policy import DeliveryPolicy
from doorstep.domain.eta import AnnouncedWindow, EtaRound
from doorstep.domain.events import DomainEvent
from doorstep.domain.exceptions import DispatchException, ExceptionKind, ExceptionState
from doorstep.domain.model import Brand, Courier, GeoPoint, Hub, Order, Role, Vehicle
from doorstep.domain.notifications import NotificationMessage, NotificationSettings
from doorstep.domain.parcel import Parcel, ParcelState
from doorstep.domain.photos import PhotoPurge
from doorstep.domain.pings import Ping
from doorstep.domain.route import Route
from doorstep.domain.scan import HubScan
from doorstep.domain.throttle import Tally
from doorstep.domain.webhooks import (
    DeliveryAttempt,
    DeliveryStatus,
    EndpointDisabled,
    WebhookDelivery,
    WebhookEndpoint,
)
from doorstep.geo.provider import TravelTimeProvider
from doorstep.geo.traffic import TrafficProfile

T = TypeVar("T")


class Conflict(Exception):
    """A uniqueness rule was hit at commit (duplicate reference, idempotency key, scan id)."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


class StaleObject(Exception):
    """Someone else changed the object since it was read (optimistic locking)."""


class StoreBusy(Exception):
    """The database could not give this transaction its locks in time, or gave up on it
    (SQLite's "database is locked", PostgreSQL's lock timeout, deadlock or serialization
    failure). Nothing was changed: the same request a moment later will work."""


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: Sequence[T]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class OrderQuery:
    brand_id: str | None = None  # operators may narrow to one brand; ignored for brands
    state: ParcelState | None = None  # orders with at least one parcel in this state
    reference: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    limit: int = 50
    cursor: str | None = None  # opaque, from a previous Page.next_cursor
    # The console's search box: ``search`` matched in ``search_in`` (one of SEARCH_FIELDS):
    # reference and barcode whole (any case), postcode (spaces ignored) and the
    # recipient's name in part (any case); "all" matches any of the four.
    search: str | None = None
    search_in: str = "all"


SEARCH_FIELDS = ("all", "reference", "barcode", "postcode", "name")


@dataclass(frozen=True, slots=True)
class User:
    id: str
    email: str
    name: str
    role: Role
    password_hash: str
    courier_id: str | None = None
    active: bool = True


@dataclass(frozen=True, slots=True)
class ApiKey:
    """A brand's API key as stored: only the hash of the secret is kept."""

    id: str
    brand_id: str
    prefix: str  # the public part shown in lists, also the lookup key
    secret_hash: str
    created_at: datetime
    name: str = ""
    revoked_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class IdempotencyRecord:
    """The saved answer to a POST, replayed for 24 h when the same key comes again."""

    owner: str  # the principal's actor: keys are per caller, never shared
    key: str
    request_hash: str
    status_code: int
    body: bytes
    content_type: str
    created_at: datetime
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """Who changed access to what, and when: kept for every deactivation and revocation."""

    at: datetime
    actor: str  # the principal's actor: "usr_...", "system:cli"
    action: str  # "user.deactivated", "api_key.revoked"
    target_id: str  # the public id of what was changed
    details: dict[str, str] = field(default_factory=dict)


PLANNABLE_STATES = (ParcelState.CREATED, ParcelState.AT_HUB, ParcelState.SORTED)
"""Parcels not yet out of the hub: what a day's plan may still route."""


class PlanStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"

    @property
    def finished(self) -> bool:
        return self in {PlanStatus.SUCCEEDED, PlanStatus.FAILED}


@dataclass(frozen=True, slots=True)
class PlanRecord:
    """A planning run as stored: what was asked, how it went, and the plan document.

    ``request`` holds the normalised request (every vehicle's shift and costs, the parcels
    chosen at request time), so a worker can run it without anything else.
    """

    id: str
    hub_id: str
    plan_date: date
    status: PlanStatus
    request: dict[str, Any]
    budget_s: int
    network: str
    created_at: datetime
    created_by: str
    started_at: datetime | None = None
    finished_at: datetime | None = None
    error: str | None = None
    result: dict[str, Any] | None = None
    # Outbox events not yet stored (``plan.finished``); not part of what the plan is.
    new_events: list[DomainEvent] = field(default_factory=list, compare=False, repr=False)

    def collect_events(self) -> list[DomainEvent]:
        taken = list(self.new_events)
        self.new_events.clear()
        return taken


class BrandRepository(Protocol):
    def add(self, brand: Brand) -> None: ...
    def get(self, brand_id: str) -> Brand | None: ...
    def list(self) -> list[Brand]: ...
    def save_appearance(self, brand: Brand) -> None:
        """Store the brand's colour and logo (nothing else of it changes)."""


class HubRepository(Protocol):
    def add(self, hub: Hub) -> None: ...
    def get(self, hub_id: str) -> Hub | None: ...
    def list(self) -> list[Hub]: ...


class VehicleRepository(Protocol):
    def add(self, vehicle: Vehicle) -> None: ...
    def get(self, vehicle_id: str) -> Vehicle | None: ...
    def list(self) -> list[Vehicle]: ...


class CourierRepository(Protocol):
    def add(self, courier: Courier) -> None: ...
    def get(self, courier_id: str) -> Courier | None: ...
    def list(self) -> list[Courier]: ...


class OrderRepository(Protocol):
    def add(self, order: Order) -> None:
        """Store a new order with its parcels; its events go to the outbox at commit."""

    def save(self, order: Order) -> None:
        """Save the order's changed parcels (as :meth:`ParcelRepository.save` does); the
        order's and parcels' new events go to the outbox at commit."""

    def save_wishes(self, order: Order) -> None:
        """Store the fields a recipient may change after the order is made (access note and
        code, window, safe place, neighbour, more time, delivery day) and the order's new
        events. Raises :class:`StaleObject` when the order changed since read (two tabs)."""

    def add_all(self, orders: Sequence[Order]) -> None:
        """:meth:`add` for many orders at once, written in as few statements as possible."""

    def get(self, order_id: str) -> Order | None: ...
    def get_many(self, order_ids: Sequence[str]) -> dict[str, Order]:
        """The orders of ``order_ids`` this principal may see, by id, read at once (a
        route's stops as a courier's phone opens them); missing ones left out."""

    def get_by_reference(self, brand_id: str, reference: str) -> Order | None: ...
    def get_by_tracking_token(self, token: str) -> Order | None:
        """The order whose tracking token is ``token`` exactly (the recipient's link), or
        None; a principal's scoping applies as for :meth:`get`."""

    def list(self, query: OrderQuery) -> Page[Order]: ...
    def list_for_planning(
        self, hub_id: str, day_start: datetime, day_end: datetime
    ) -> Sequence[Order]:
        """Orders of ``hub_id`` or of no hub with a parcel still at or before the hub
        (created, at_hub, sorted) whose window overlaps ``[day_start, day_end)`` or who
        have no window; oldest first."""

    def chains(self, order_id: str) -> Sequence[ParcelChain] | None:
        """Each parcel's history exactly as stored, with its hashes (for verification), or
        None when the order does not exist or is not visible."""


class ParcelRepository(Protocol):
    def get(self, parcel_id: str) -> Parcel | None: ...
    def get_by_barcode(self, barcode: str) -> Parcel | None: ...
    def get_many(self, parcel_ids: Sequence[str]) -> dict[str, Parcel]:
        """The parcels of ``parcel_ids`` this principal may see, by id, read at once (a
        route's hundred parcels as its start and finish need them); missing ones left out."""

    def save(self, parcel: Parcel) -> None:
        """Persist state and append the parcel's new history; its events reach the outbox
        at commit.

        Raises :class:`StaleObject` (at once or at commit) when the parcel changed since read.
        """


class PlanRepository(Protocol):
    """Plans are operator resources: a brand's unit of work sees none."""

    def add(self, plan: PlanRecord) -> None: ...
    def get(self, plan_id: str) -> PlanRecord | None: ...
    def save(self, plan: PlanRecord) -> None:
        """Store the new status, times, error and result of an existing plan."""

    def list_unfinished(self) -> list[PlanRecord]:
        """Plans still queued or running, oldest first (for a restarted worker)."""


class ScanRepository(Protocol):
    def get(self, hub_id: str, client_event_id: str) -> HubScan | None: ...
    def add(self, scan: HubScan) -> None:
        """Store a scan; its events (an unknown barcode's) go to the outbox at commit."""

    def list_exceptions(self, hub_id: str, limit: int = 100) -> list[HubScan]: ...


class UserRepository(Protocol):
    def add(self, user: User) -> None: ...
    def get(self, user_id: str) -> User | None: ...
    def get_by_email(self, email: str) -> User | None: ...
    def list(self) -> list[User]:
        """Every operator user, active or not, by e-mail."""

    def deactivate(self, user_id: str) -> None:
        """Mark the user inactive: no login, and its tokens are refused from now on."""


class ApiKeyRepository(Protocol):
    def add(self, key: ApiKey) -> None: ...
    def get(self, key_id: str) -> ApiKey | None: ...
    def get_by_prefix(self, prefix: str) -> ApiKey | None: ...
    def list_for_brand(self, brand_id: str) -> list[ApiKey]: ...
    def revoke(self, key_id: str, at: datetime) -> None:
        """Stamp ``revoked_at``: the key is refused from the next request on."""


class AuditLog(Protocol):
    """Append-only: entries are added in the transaction of the change they record."""

    def add(self, entry: AuditEntry) -> None: ...
    def list_for(self, target_id: str) -> list[AuditEntry]:
        """Entries about one object, oldest first."""

    def list_recent(self, limit: int, offset: int = 0) -> list[AuditEntry]:
        """The newest entries of all, newest first (the console's audit page)."""


class IdempotencyRepository(Protocol):
    """Saved answers. They may hold personal data (a recipient's phone), so the store keeps
    their bodies encrypted and deletes them once they can no longer be replayed."""

    def get(self, owner: str, key: str, *, not_before: datetime) -> IdempotencyRecord | None: ...
    def add(self, record: IdempotencyRecord) -> None:
        """Raises :class:`Conflict` (at once or at commit) when the key is already saved."""

    def purge(self, *, before: datetime) -> int:
        """Delete every record created before ``before``, whoever owns it; how many."""


@dataclass(frozen=True, slots=True)
class RouteSummary:
    """Where a parcel rides today, for a hub worker's sort and load scans."""

    route_id: str
    vehicle_id: str
    vehicle_name: str
    courier_id: str
    stop_id: str
    route_state: str


class RouteRepository(Protocol):
    """Dispatched routes. A courier sees only routes assigned to them; brands see none."""

    def add(self, route: Route, *, plan_index: int | None = None) -> None:
        """Raises :class:`Conflict` when that plan's route was dispatched already."""

    def get(self, route_id: str) -> Route | None: ...
    def get_by_stop(self, stop_id: str) -> Route | None: ...
    def save(self, route: Route) -> None:
        """Raises :class:`StaleObject` (at once or at commit) when it changed since read."""

    def find(
        self, *, route_date: date | None = None, courier_id: str | None = None
    ) -> list[Route]: ...
    def open_for_courier(self, courier_id: str, route_date: date) -> list[Route]:
        """The courier's routes of that day not yet finished."""

    def open_for_parcel(self, parcel_id: str) -> RouteSummary | None:
        """The not-finished route whose active stop holds the parcel."""

    def dispatched_plan_indexes(self, plan_id: str) -> set[int]: ...
    def has_started(self, courier_id: str) -> bool:
        """Whether the courier is driving a started route now."""


@dataclass(frozen=True, slots=True)
class CourierAction:
    """One action from a courier's phone as stored: once per (courier, client event id)."""

    id: str
    courier_id: str
    client_event_id: str
    kind: str
    route_id: str
    stop_id: str | None
    device_time: datetime
    received_at: datetime
    request_hash: str
    status: str  # "applied" or "refused"
    message: str | None = None


class CourierActionRepository(Protocol):
    def get(self, courier_id: str, client_event_id: str) -> CourierAction | None: ...
    def add(self, action: CourierAction) -> None:
        """Raises :class:`Conflict` (at once or at commit) when that id is stored already."""

    def list_for_route(self, route_id: str) -> list[CourierAction]: ...


@dataclass(frozen=True, slots=True)
class ProofRecord:
    """One attempt at one stop for one order: delivered with evidence, or failed."""

    id: str
    order_id: str
    brand_id: str
    route_id: str
    stop_id: str
    courier_id: str
    outcome: str  # "delivered" or "failed"
    method: str | None
    reason: str | None
    parcel_ids: tuple[str, ...]
    evidence: dict[str, Any]
    signature: str | None
    photos: tuple[str, ...]
    device_time: datetime
    recorded_at: datetime
    position: tuple[float, float, float | None] | None  # lat, lon, accuracy_m
    distance_m: float | None
    geofence_mismatch: bool


class ProofRepository(Protocol):
    def add(self, proof: ProofRecord) -> None: ...
    def list_for_order(self, order_id: str) -> list[ProofRecord]: ...


class PingRepository(Protocol):
    """Couriers' positions: written in bulk, read in time order, deleted by age. A courier
    reaches only their own, office staff everyone's, a brand none."""

    def add_many(self, courier_id: str, pings: Sequence[Ping], received_at: datetime) -> int:
        """Store a checked batch for ``courier_id`` in one statement; how many were stored.
        Raises :class:`~doorstep.domain.errors.InvalidValue` for a courier out of reach."""

    def list_for(self, courier_id: str, since: datetime, until: datetime) -> list[Ping]:
        """The courier's pings taken in ``[since, until)``, oldest first."""

    def purge(self, *, before: datetime) -> int:
        """Delete every ping taken before ``before``, whoever sent it; how many."""


@dataclass(frozen=True, slots=True)
class RouteEtaState:
    """The last ETA recompute of a route: when it ran, each open stop's expected arrival
    then (the prediction plus the route's measured bias), and the announced windows a
    delay was already raised for (stop id -> the window's ``announced_at``), so that a
    delay is raised once per stop and window.

    ``version`` is the optimistic lock that keeps two recomputes of one route (two ping
    batches at once) from both announcing: the second one's save is :class:`StaleObject`.
    """

    route_id: str
    computed_at: datetime
    predictions: Mapping[str, datetime] = field(default_factory=dict)
    delays_raised: Mapping[str, datetime] = field(default_factory=dict)
    version: int = 0


class EtaRepository(Protocol):
    """Announced windows (append-only) and each route's last recompute.

    Reads are scoped as the route (by route) or the parcel (by parcel) they are about: a
    brand reaches the windows of its own parcels, a courier those of their routes."""

    def add(self, route_id: str, window: AnnouncedWindow) -> None:
        """Store one more announcement; earlier ones are never changed."""

    def record(self, round_: EtaRound) -> None:
        """Store the round's announcements; its events go to the outbox at commit."""

    def list_for_route(self, route_id: str) -> list[AnnouncedWindow]:
        """Every announcement of the route's stops, oldest first."""

    def latest_for_parcels(self, parcel_ids: Sequence[str]) -> dict[str, AnnouncedWindow]:
        """Parcel id -> the latest announcement of the stop it is on, for parcels on an
        active stop of a route not yet finished; others left out."""

    def state(self, route_id: str) -> RouteEtaState | None: ...
    def save_state(self, state: RouteEtaState) -> None:
        """Insert (version 0) or update the route's state; raises :class:`StaleObject` (at
        once or at commit) when another recompute saved it since it was read, or
        :class:`Conflict` when two first saves race."""


class Outbox(Protocol):
    """What a relay needs. No ``add``: events come from aggregates, written at commit."""

    def has_pending(self) -> bool:
        """Whether any row waits (a cheap read, allowed in a read-only unit of work)."""

    def pending(self, limit: int = 100) -> list[tuple[int, DomainEvent]]:
        """The oldest ``limit`` rows not yet sent, read without a lock."""

    def claim_pending(self, limit: int = 100) -> list[tuple[int, DomainEvent]]:
        """The same rows claimed for this transaction: a second relay running at the same
        time skips them (PostgreSQL ``FOR UPDATE SKIP LOCKED``; SQLite has one writer at a
        time)."""

    def mark_sent(self, ids: Sequence[int], at: datetime) -> None: ...


class NotificationRepository(Protocol):
    """Messages to recipients. Written by the relay, sent by the send job; system only."""

    def add(self, message: NotificationMessage) -> None:
        """Raises :class:`Conflict` (at once) when that (outbox row, channel, order) or
        (order, channel, dedupe key) is stored already."""

    def exists(self, order_id: str, channel: str, dedupe_key: str) -> bool: ...
    def get(self, message_id: str) -> NotificationMessage | None: ...
    def due(self, now: datetime, limit: int) -> list[str]:
        """Ids of pending messages whose ``not_before`` has come, oldest first."""

    def claim(self, message_id: str, now: datetime) -> NotificationMessage | None:
        """Move a due pending message to ``sending`` (one more attempt) and return it, or
        None when another worker took it first (compare-and-set on the status)."""

    def stale_sending(self, before: datetime, limit: int) -> list[NotificationMessage]:
        """Messages left ``sending`` since before ``before`` (a worker died mid-send)."""

    def save(self, message: NotificationMessage) -> None:
        """Store the message's new status, attempts, times, error and provider id."""

    def list_for_order(self, order_id: str) -> list[NotificationMessage]: ...


class NotificationSettingsRepository(Protocol):
    def get(self, brand_id: str) -> NotificationSettings | None:
        """The brand's stored choices, or None when it never chose (use the defaults)."""

    def save(self, settings: NotificationSettings) -> None: ...


class DeliveryPolicyRepository(Protocol):
    """Each brand's rule for failed attempts, and the parcels its rule sent back."""

    def get(self, brand_id: str) -> DeliveryPolicy | None:
        """The brand's stored policy, or None when it never set one (use the defaults)."""

    def put(self, brand_id: str, policy: DeliveryPolicy, *, at: datetime, actor: str) -> None:
        """Store (insert or replace) the brand's policy; InvalidValue for an unknown brand."""

    def returns_started(self, brand_id: str, start: datetime, end: datetime) -> list[str]:
        """Ids of the brand's parcels whose return to the sender started in ``[start, end)``,
        oldest first, whatever they became since (returning, or handed over)."""


class SmsOptOuts(Protocol):
    """Numbers that answered STOP, by a keyed hash of the number (never the number)."""

    def is_opted_out(self, phone_key: str) -> bool: ...
    def record(self, phone_key: str, opted_out: bool, at: datetime) -> None: ...


@dataclass(frozen=True, slots=True)
class OutgoingEmail:
    message_id: str  # the RFC 5322 Message-ID, stable per message: a resend is recognisable
    to: str
    from_name: str
    from_address: str
    reply_to: str | None
    subject: str
    text: str
    html: str


@dataclass(frozen=True, slots=True)
class OutgoingSms:
    message_id: str  # ours, for the log; providers have no idempotency key
    to: str
    body: str


class SendRefused(Exception):
    """The provider refused the message for good (a 5xx SMTP reply, an invalid number):
    sending it again would be refused again."""


class SendFailed(Exception):
    """The message could not be handed over this time (a 4xx reply, no connection,
    a time-out): it may be tried again later."""


class EmailSender(Protocol):
    def send(self, email: OutgoingEmail) -> None:
        """Hand the message to the mail server; raises SendRefused or SendFailed."""


class SmsSender(Protocol):
    def send(self, sms: OutgoingSms) -> str | None:
        """Hand the text to the provider; its id for the message, if it gives one.
        Raises SendRefused or SendFailed."""


@dataclass(frozen=True, slots=True)
class ExceptionQuery:
    """Which exceptions to list: None matches any."""

    state: ExceptionState | None = ExceptionState.OPEN
    kind: ExceptionKind | None = None
    route_id: str | None = None
    limit: int = 200


class ExceptionRepository(Protocol):
    """The dispatcher's exception queue. Operators and the system only: brands and couriers
    see none (their units of work find nothing)."""

    def add(self, found: DispatchException) -> bool:
        """Store a new exception; False (nothing stored, no event) when one of the same
        kind and key exists already, raised meanwhile by another relay or sweep."""

    def get(self, exception_id: str) -> DispatchException | None: ...
    def find(self, kind: ExceptionKind, key: str) -> DispatchException | None: ...
    def search(self, query: ExceptionQuery) -> list[DispatchException]:
        """Newest first."""

    def save_resolution(self, found: DispatchException) -> bool:
        """Store the resolution of an exception read open; False (nothing stored, its event
        dropped) when it was resolved meanwhile: it is resolved once."""

    def planned_starts(self, route_ids: Sequence[str]) -> dict[str, datetime]:
        """When each route should leave the hub, from its plan (routes without a plan, or
        whose plan does not say, are missing from the answer)."""

    def plans_finished_since(self, since: datetime) -> list[PlanRecord]:
        """Plans that succeeded at or after ``since``, for their unassigned stops."""


class UnitOfWork(Protocol):
    """One transaction, scoped to one principal. Leaving without commit rolls back.

    Use cases never write domain events themselves: the aggregates record them, and
    ``commit`` writes those of every aggregate the repositories stored to the outbox.
    """

    principal: Principal
    brands: BrandRepository
    hubs: HubRepository
    vehicles: VehicleRepository
    couriers: CourierRepository
    orders: OrderRepository
    parcels: ParcelRepository
    scans: ScanRepository
    users: UserRepository
    api_keys: ApiKeyRepository
    idempotency: IdempotencyRepository
    outbox: Outbox
    plans: PlanRepository
    audit: AuditLog
    routes: RouteRepository
    courier_actions: CourierActionRepository
    proofs: ProofRepository
    pings: PingRepository
    blobs: BlobRepository
    eta: EtaRepository
    notifications: NotificationRepository
    notification_settings: NotificationSettingsRepository
    sms_opt_outs: SmsOptOuts
    webhooks: WebhookRepository
    tracking: TrackingReads
    exceptions: ExceptionRepository
    console: ConsoleReads
    delivery_policies: DeliveryPolicyRepository

    def read_only(self) -> Self:
        """This unit of work, to be opened for reading only: it takes no write lock (on
        SQLite a reader then never queues behind a long writer) and any write is refused.
        Read use cases open ``with uow.read_only():``."""

    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    def commit(self) -> None:
        """Raises :class:`Conflict` or :class:`StaleObject` when the database refuses, and
        :class:`StoreBusy` (as may any statement) when it could not get its locks in time."""

    def rollback(self) -> None: ...


UnitOfWorkFactory = Callable[[Principal], UnitOfWork]


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware (UTC)."""


class Geocoder(Protocol):
    def centroid(self, postcode: str) -> GeoPoint | None:
        """The postcode's point, or None when it is not known."""


class Tallies(Protocol):
    """Counters for rate limits and lock-outs, shared by every API process that uses the
    same store (in memory: one process; Redis: all of them). Time is the caller's clock."""

    def add(self, key: str, now: datetime, forget_after: timedelta) -> Tally:
        """Count one more event for ``key`` and return the new tally. A key whose last
        event is more than ``forget_after`` before ``now`` starts again from zero."""

    def get(self, key: str, now: datetime, forget_after: timedelta) -> Tally: ...
    def clear(self, key: str) -> None: ...


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str: ...
    def verify(self, password_hash: str, password: str) -> bool: ...


Json = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Routing:
    """A travel-time back-end and the traffic it makes its matrices in.

    The provider applies ``traffic`` at the departure's band; the planner then scales each
    leg by its own band relative to that one (``services.plans.run.traffic_leg_factor``).
    """

    provider: TravelTimeProvider
    traffic: TrafficProfile


RoutingFor = Callable[[str], Routing]
"""Network name -> routing; bootstrap chooses the back-ends, use cases only name them."""


class BlobVariant(StrEnum):
    """The copies kept of one uploaded image. The original is the proof (its hash names
    the blob) and is shown to operator staff only; brands get the display copy and the
    thumbnail, which are made from it with EXIF (GPS above all) stripped."""

    ORIGINAL = "original"
    DISPLAY = "display"
    THUMBNAIL = "thumbnail"


class BlobStore(Protocol):
    """Bytes by content: a blob is named by the lowercase SHA-256 hex of its original.

    Writes are whole or absent (never a half-written file or object), and writing the
    same name twice is harmless, so a retried upload needs no coordination.
    """

    def put(self, sha256: str, variant: BlobVariant, data: bytes, content_type: str) -> None: ...
    def get(self, sha256: str, variant: BlobVariant) -> bytes | None:
        """The stored bytes, or None when there are none."""

    def exists(self, sha256: str, variant: BlobVariant) -> bool: ...
    def delete(self, sha256: str, variant: BlobVariant) -> None:
        """Remove one copy; removing a copy that is not there is not an error."""


@dataclass(frozen=True, slots=True)
class BlobRecord:
    """What is known of a stored blob. After the retention period its files are deleted
    and ``purged_at`` set, but the record (and so the hash, the proof) is kept."""

    sha256: str
    content_type: str  # of the original: image/jpeg, image/png or image/webp
    size: int  # bytes of the original
    width: int  # pixels, upright (after the EXIF orientation)
    height: int
    uploaded_by: str  # the principal's actor
    created_at: datetime
    purged_at: datetime | None = None


class BlobRepository(Protocol):
    def add(self, blob: BlobRecord) -> None:
        """Raises :class:`Conflict` (at once or at commit) when the hash is already stored."""

    def get(self, sha256: str) -> BlobRecord | None: ...
    def list_due_for_purge(self, *, created_before: datetime, limit: int) -> list[BlobRecord]:
        """Blobs created before ``created_before`` whose files are not yet purged, oldest
        first."""

    def mark_purged(self, purge: PhotoPurge) -> None:
        """Stamp ``purged_at`` on the purge's blobs; its event goes to the outbox at commit."""


class WebhookRepository(Protocol):
    """Brands' webhook endpoints, their deliveries and attempts. A brand reaches only its
    own; office staff and the system all. Deleted endpoints are gone for everyone."""

    def add_endpoint(self, endpoint: WebhookEndpoint) -> None: ...
    def get_endpoint(self, endpoint_id: str) -> WebhookEndpoint | None: ...
    def list_endpoints(self) -> list[WebhookEndpoint]:
        """Oldest first."""

    def save_endpoint(self, endpoint: WebhookEndpoint) -> None:
        """Store its URL, event types, state, secrets and failure clock."""

    def delete_endpoint(self, endpoint_id: str, at: datetime) -> None:
        """Gone from every list; its deliveries are no longer sent."""

    def disable(self, disabled: EndpointDisabled) -> None:
        """Switch the endpoint off and dead-letter its pending deliveries (they can be
        replayed once it is on again); its event goes to the outbox at commit."""

    def subscribers(self, brand_ids: Sequence[str], event_name: str) -> list[WebhookEndpoint]:
        """Enabled endpoints of these brands that chose ``event_name``."""

    def add_deliveries(self, deliveries: Sequence[WebhookDelivery]) -> int:
        """Store those whose (outbox id, endpoint) pair is not stored yet; how many were.
        A pair is never stored twice, so running a fan-out again cannot double a message."""

    def get_delivery(self, delivery_id: str) -> WebhookDelivery | None: ...
    def list_deliveries(
        self, endpoint_id: str | None, status: DeliveryStatus | None, limit: int
    ) -> list[WebhookDelivery]:
        """Newest first; of one endpoint, or of every endpoint in reach."""

    def due(self, now: datetime, limit: int) -> list[WebhookDelivery]:
        """Pending deliveries of enabled endpoints whose next attempt is due, oldest first."""

    def claim(self, delivery: WebhookDelivery, until: datetime) -> bool:
        """Move the delivery's next attempt to ``until`` if no one else did since it was
        read; False when another sender claimed it first."""

    def save_delivery(self, delivery: WebhookDelivery) -> None: ...
    def add_attempt(self, attempt: DeliveryAttempt) -> None: ...
    def list_attempts(self, endpoint_id: str, limit: int) -> list[DeliveryAttempt]:
        """Newest first."""


@dataclass(frozen=True, slots=True)
class WebhookMessage:
    """What one POST carries: signed with each of ``secrets`` (a rotation's overlap)."""

    url: str
    webhook_id: str
    timestamp: datetime
    body: str
    secrets: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class WebhookResponse:
    """What came back: a status, or an error (refused, timed out, refused connection)."""

    status_code: int | None
    error: str | None
    excerpt: str
    duration_ms: int


class WebhookSender(Protocol):
    def send(self, message: WebhookMessage) -> WebhookResponse:
        """POST the message; never raises for the receiver's or the network's failures."""


class Subscription(Protocol):
    """One live page's view of a channel, read on the server's event loop."""

    async def receive(self, timeout: float) -> str | None:
        """The next notice, or None when none came within ``timeout`` seconds."""

    def close(self) -> None:
        """Stop receiving; notices published afterwards are not kept for it."""


class Broadcaster(Protocol):
    """Small notices from whoever changed something to the live pages watching it.

    Best effort and at most once: a notice only says "look again", and a page that misses
    one looks again on its own schedule, so nothing depends on delivery. In one process by
    default; through Redis pub/sub when several server processes must stay in step.
    """

    def publish(self, channel: str, message: str) -> None:
        """Send ``message`` to every current subscriber of ``channel``, in any process.
        Callable from any thread, never blocks on a subscriber."""

    def subscribe(self, channels: Sequence[str]) -> Subscription:
        """Start receiving the notices of ``channels`` (one queue for all of them); call on
        the event loop that will read."""

    def listen(self, hear: Callable[[str], None]) -> None:
        """Call ``hear(channel)`` for every notice this process hears, on whichever thread
        delivers it: for a cache that must forget what changed. ``hear`` must be quick and
        thread-safe. Call on the event loop (the Redis adapter starts its listener there)."""


@dataclass(frozen=True, slots=True)
class TrackedMove:
    """One step of one parcel, as the tracking page tells it."""

    parcel_id: str
    action: str
    to_state: str
    at: datetime
    reason_code: str | None


@dataclass(frozen=True, slots=True)
class TrackedStop:
    """The stop on today's route that holds the order's parcels."""

    route_id: str
    stop_id: str
    route_state: str
    stop_state: str
    stops_before: int  # stops still to do before this one (pending or arrived, earlier)
    done_at: datetime | None
    courier_id: str
    courier_name: str  # full name as stored: the page shows the first name only
    vehicle_type: str


@dataclass(frozen=True, slots=True)
class TrackedProof:
    outcome: str  # "delivered" or "failed"
    method: str | None
    reason: str | None
    photos: tuple[str, ...]
    recorded_at: datetime
    safe_place: str | None  # the place named in the evidence, when left safe


@dataclass(frozen=True, slots=True)
class TrackingFacts:
    """What the tracking page is made from, read at once for a token. No names, phones or
    addresses of anyone: the page cannot show what it is not given."""

    order_id: str
    brand_id: str
    brand_name: str
    brand_colour: str | None
    brand_logo: str | None
    created_at: datetime
    promised: tuple[datetime, datetime] | None  # the brand's window for the order
    states: tuple[str, ...]  # each parcel's state
    moves: tuple[TrackedMove, ...]  # every parcel's history, oldest first
    stop: TrackedStop | None
    proofs: tuple[TrackedProof, ...]


class TrackingReads(Protocol):
    """The tracking page's reads: few statements, no decryption, no scoping (the token is
    the key: whoever holds it is the recipient)."""

    def facts(self, token: str) -> TrackingFacts | None:
        """The order whose tracking token is exactly ``token``, or None."""

    def last_position(self, courier_id: str, since: datetime) -> tuple[GeoPoint, datetime] | None:
        """The courier's latest position taken at or after ``since``, with its time."""


# -- the dispatcher's console: one day's routes at once -----------------------------------


@dataclass(frozen=True, slots=True)
class ConsoleRoute:
    """A route as the Today page lists it: who drives what, and how far it got."""

    route_id: str
    hub_id: str
    courier_id: str
    courier_name: str
    vehicle_id: str
    vehicle_name: str
    vehicle_type: str
    state: str  # a RouteState value
    started_at: datetime | None
    finished_at: datetime | None


@dataclass(frozen=True, slots=True)
class ConsoleStop:
    """A stop as the map draws it; ``announced_end`` ends the last window the customer was
    told (None before the route starts)."""

    stop_id: str
    route_id: str
    sequence: int
    state: str  # a StopState value
    point: GeoPoint
    postcode: str
    parcel_ids: tuple[str, ...]
    planned_arrival: datetime
    window: tuple[datetime, datetime] | None  # the order's promise
    announced_end: datetime | None
    done_at: datetime | None


@dataclass(frozen=True, slots=True)
class ConsolePosition:
    courier_id: str
    point: GeoPoint
    at: datetime


@dataclass(frozen=True, slots=True)
class ConsoleDayFacts:
    """Everything the Today page shows for a day, read in a handful of statements (one per
    kind, never one per route or stop), whatever the number of routes."""

    routes: tuple[ConsoleRoute, ...]
    stops: tuple[ConsoleStop, ...]  # by route, then sequence
    predictions: Mapping[str, datetime]  # stop id -> expected arrival (last ETA recompute)
    positions: Mapping[str, ConsolePosition]  # courier id -> last position since the day began


class ConsoleReads(Protocol):
    """The console's read side for office staff (scoped like the routes they read)."""

    def day(
        self,
        route_date: date,
        *,
        hub_id: str | None = None,
        route_id: str | None = None,
        positions_since: datetime,
    ) -> ConsoleDayFacts:
        """The routes of ``route_date`` (of one hub, or one route, when given)."""

    def started_route(self, courier_id: str) -> str | None:
        """The id of the route ``courier_id`` is driving now (the latest started), or None."""
