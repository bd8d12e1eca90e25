"""An in-memory unit of work with the rules of the real store, for unit tests of use cases.

It keeps what matters to the use cases: brand scoping (a brand sees only its own rows, so a
foreign id reads as missing), ``Conflict`` at commit on duplicate keys, ``StaleObject`` on
concurrent parcel changes, nothing visible to others before commit, rollback on leaving.
Events are not made here: as in the store, the repositories mark what they store as seen
and commit writes the events those aggregates recorded (payloads as JSON gives them back).
tests/integration/store/test_repository_contract.py runs the same checks on both.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from types import TracebackType
from typing import Any, Generic, Self, TypeVar

from doorstep.domain import chain
from doorstep.domain.access import Principal
from doorstep.domain.chain import ParcelChain
from doorstep.domain.delivery_policy import DeliveryPolicy
from doorstep.domain.errors import InvalidValue
from doorstep.domain.eta import AnnouncedWindow, EtaRound
from doorstep.domain.events import DomainEvent, SeenAggregates
from doorstep.domain.exceptions import DispatchException, ExceptionKind
from doorstep.domain.model import Brand, Courier, GeoPoint, Hub, Order, Vehicle
from doorstep.domain.notifications import MessageStatus, NotificationMessage, NotificationSettings
from doorstep.domain.parcel import Parcel
from doorstep.domain.photos import PhotoPurge
from doorstep.domain.pings import Ping
from doorstep.domain.route import Route, RouteState
from doorstep.domain.scan import HubScan, ScanOutcome
from doorstep.services.ports import (
    PLANNABLE_STATES,
    ApiKey,
    ApiKeyRepository,
    AuditEntry,
    AuditLog,
    BlobRecord,
    BlobRepository,
    BlobStore,
    BlobVariant,
    BrandRepository,
    Conflict,
    ConsoleDayFacts,
    ConsoleReads,
    CourierAction,
    CourierActionRepository,
    CourierRepository,
    DeliveryPolicyRepository,
    EtaRepository,
    ExceptionQuery,
    ExceptionRepository,
    HubRepository,
    IdempotencyRecord,
    IdempotencyRepository,
    NotificationRepository,
    NotificationSettingsRepository,
    OrderQuery,
    OrderRepository,
    Outbox,
    Page,
    ParcelRepository,
    PingRepository,
    PlanRecord,
    PlanRepository,
    ProofRecord,
    ProofRepository,
    RouteEtaState,
    RouteRepository,
    RouteSummary,
    ScanRepository,
    SmsOptOuts,
    StaleObject,
    TrackingFacts,
    TrackingReads,
    UnitOfWork,
    UnitOfWorkFactory,
    User,
    UserRepository,
    VehicleRepository,
    WebhookRepository,
)
from tests.unit.fake_webhooks import FakeWebhooks

T = TypeVar("T", Hub, Vehicle, Courier)
F = TypeVar("F")


@dataclass(frozen=True)
class StoredPing:
    courier_id: str
    ping: Ping
    received_at: datetime


@dataclass
class FakeDatabase:
    """The committed state, shared by every unit of work opened on it."""

    brands: dict[str, Brand] = field(default_factory=dict)
    hubs: dict[str, Hub] = field(default_factory=dict)
    vehicles: dict[str, Vehicle] = field(default_factory=dict)
    couriers: dict[str, Courier] = field(default_factory=dict)
    orders: dict[str, Order] = field(default_factory=dict)
    scans: dict[tuple[str, str], HubScan] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    api_keys: dict[str, ApiKey] = field(default_factory=dict)
    idempotency: dict[tuple[str, str], IdempotencyRecord] = field(default_factory=dict)
    outbox: list[tuple[int, DomainEvent, datetime | None]] = field(default_factory=list)
    plans: dict[str, PlanRecord] = field(default_factory=dict)
    audit: list[AuditEntry] = field(default_factory=list)
    routes: dict[str, Route] = field(default_factory=dict)
    route_indexes: dict[tuple[str, int], str] = field(default_factory=dict)
    courier_actions: dict[tuple[str, str], CourierAction] = field(default_factory=dict)
    proofs: list[ProofRecord] = field(default_factory=list)
    pings: list[StoredPing] = field(default_factory=list)
    blobs: dict[str, BlobRecord] = field(default_factory=dict)
    eta_announcements: list[tuple[str, AnnouncedWindow]] = field(default_factory=list)
    eta_states: dict[str, RouteEtaState] = field(default_factory=dict)
    notifications: dict[str, NotificationMessage] = field(default_factory=dict)
    notification_settings: dict[str, NotificationSettings] = field(default_factory=dict)
    sms_opt_outs: dict[str, bool] = field(default_factory=dict)
    delivery_policies: dict[str, DeliveryPolicy] = field(default_factory=dict)
    webhook_endpoints: dict[str, Any] = field(default_factory=dict)
    webhook_deliveries: dict[str, Any] = field(default_factory=dict)
    webhook_attempts: dict[Any, Any] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)
    commits: int = 0

    def parcels(self) -> dict[str, Parcel]:
        return {p.id: p for order in self.orders.values() for p in order.parcels}

    def events(self, name: str) -> list[DomainEvent]:
        return [event for _, event, _ in self.outbox if event.name == name]


class _NoTracking:
    """The tracking page's reads are SQL only (tests/integration/web covers them)."""

    def facts(self, token: str) -> TrackingFacts | None:
        raise NotImplementedError("tracking reads are tested against the real store")

    def last_position(self, courier_id: str, since: datetime) -> tuple[GeoPoint, datetime] | None:
        raise NotImplementedError("tracking reads are tested against the real store")


class _NoExceptions:
    """The exception queue is SQL only (tests/integration/services/test_exceptions.py):
    reads find nothing, writes are refused loudly."""

    def add(self, found: DispatchException) -> bool:
        raise NotImplementedError("exceptions are tested against the real store")

    def get(self, exception_id: str) -> DispatchException | None:
        return None

    def find(self, kind: ExceptionKind, key: str) -> DispatchException | None:
        return None

    def search(self, query: ExceptionQuery) -> list[DispatchException]:
        return []

    def save_resolution(self, found: DispatchException) -> bool:
        raise NotImplementedError("exceptions are tested against the real store")

    def planned_starts(self, route_ids: Sequence[str]) -> dict[str, datetime]:
        return {}

    def plans_finished_since(self, since: datetime) -> list[PlanRecord]:
        return []


class _NoConsole:
    """The console's reads are SQL only (tests/integration/web/console covers them)."""

    def day(
        self,
        route_date: date,
        *,
        hub_id: str | None = None,
        route_id: str | None = None,
        positions_since: datetime,
    ) -> ConsoleDayFacts:
        raise NotImplementedError("console reads are tested against the real store")

    def started_route(self, courier_id: str) -> str | None:
        raise NotImplementedError("console reads are tested against the real store")


class FakeUnitOfWork:
    """A transaction over a :class:`FakeDatabase`, scoped to one principal."""

    def __init__(self, db: FakeDatabase, principal: Principal) -> None:
        self.db = db
        self.principal = principal
        self.committed = False
        self.reading = False
        self._reset()

    def read_only(self) -> Self:
        """As the SQL unit of work: any write staged in a reading unit of work fails."""
        self.reading = True
        return self

    def _reset(self) -> None:
        self._pending: list[tuple[str, Any]] = []
        self.seen = SeenAggregates()
        self.brands: BrandRepository = _Brands(self)
        self.hubs: HubRepository = _Simple[Hub](self, "hubs")
        self.vehicles: VehicleRepository = _Simple[Vehicle](self, "vehicles")
        self.couriers: CourierRepository = _Simple[Courier](self, "couriers")
        self.orders: OrderRepository = _Orders(self)
        self.parcels: ParcelRepository = _Parcels(self)
        self.scans: ScanRepository = _Scans(self)
        self.users: UserRepository = _Users(self)
        self.api_keys: ApiKeyRepository = _ApiKeys(self)
        self.idempotency: IdempotencyRepository = _Idempotency(self)
        self._outbox = _Outbox(self)
        self.outbox: Outbox = self._outbox
        self.plans: PlanRepository = _Plans(self)
        self.audit: AuditLog = _Audit(self)
        self.routes: RouteRepository = _Routes(self)
        self.courier_actions: CourierActionRepository = _CourierActions(self)
        self.proofs: ProofRepository = _Proofs(self)
        self.pings: PingRepository = _Pings(self)
        self.blobs: BlobRepository = _Blobs(self)
        self.eta: EtaRepository = _Eta(self)
        self.notifications: NotificationRepository = _Notifications(self)
        self.notification_settings: NotificationSettingsRepository = _NotificationSettings(self)
        self.sms_opt_outs: SmsOptOuts = _SmsOptOuts(self)
        self.webhooks: WebhookRepository = FakeWebhooks(self)
        self.tracking: TrackingReads = _NoTracking()
        self.exceptions: ExceptionRepository = _NoExceptions()
        self.console: ConsoleReads = _NoConsole()
        self.delivery_policies: DeliveryPolicyRepository = _DeliveryPolicies(self)

    def __enter__(self) -> Self:
        self._reset()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()
        self.reading = False

    def stage(self, kind: str, item: Any) -> None:
        if self.reading:
            raise AssertionError(f"a read-only unit of work wrote {kind}")
        self._pending.append((kind, _fresh(item)))

    def pending(self, kind: str) -> list[Any]:
        return [item for k, item in self._pending if k == kind]

    def collect_new_events(self) -> Iterator[DomainEvent]:
        return self.seen.collect_new_events()

    def commit(self) -> None:
        for event in self.collect_new_events():
            self._outbox.add(event)
        with self.db.lock:
            for kind, item in self._pending:
                _check(self.db, kind, item)
            for kind, item in self._pending:
                _apply(self.db, kind, item)
            self.db.commits += 1
        self._pending = []
        self.committed = True

    def rollback(self) -> None:
        self._pending = []
        self.seen.clear()

    @property
    def sees_all(self) -> bool:
        return self.principal.sees_all_brands

    def visible(self, brand_id: str) -> bool:
        return self.sees_all or brand_id == self.principal.brand_id

    def on_my_routes(self, parcel_ids: Sequence[str]) -> bool:
        """A courier's reach, as in the store: the parcels of routes assigned to them."""
        courier_id = self.principal.courier_id
        if courier_id is None or self.principal.is_brand:
            return False
        mine = {
            p for r in self.db.routes.values() if r.courier_id == courier_id for p in r.parcel_ids
        }
        return any(p in mine for p in parcel_ids)


def _check(db: FakeDatabase, kind: str, item: Any) -> None:
    """The database's unique and version constraints, checked at commit as the store does."""
    if kind == "orders":
        duplicate = any(
            o.brand_id == item.brand_id and o.reference == item.reference
            for o in db.orders.values()
        )
        if item.id in db.orders or duplicate:
            raise Conflict(f"order reference {item.reference!r}")
    elif kind == "parcels":
        stored = db.parcels().get(item.id)
        if stored is None or stored.version != item.version:
            raise StaleObject(item.id)
    elif kind == "scans" and (item.hub_id, item.client_event_id) in db.scans:
        raise Conflict(f"scan {item.client_event_id!r}")
    elif kind == "idempotency" and (item.owner, item.key) in db.idempotency:
        raise Conflict(f"idempotency key {item.key!r}")
    elif kind == "users" and any(u.email == item.email for u in db.users.values()):
        raise Conflict(f"user e-mail {item.email!r}")
    elif kind == "api_keys" and item.prefix in db.api_keys:
        raise Conflict(f"api key prefix {item.prefix!r}")
    elif kind == "eta_states":
        known = db.eta_states.get(item.route_id)
        if (known.version if known else 0) != item.version - 1:
            if item.version == 1:
                raise Conflict(f"eta of {item.route_id}")
            raise StaleObject(item.route_id)
    elif kind == "blobs" and item.sha256 in db.blobs:
        raise Conflict(f"blob {item.sha256!r}")
    elif kind == "plans" and item.id in db.plans:
        raise Conflict(f"plan id {item.id!r}")
    elif kind == "routes":
        route, index = item
        if route.plan_id is not None and (route.plan_id, index) in db.route_indexes:
            raise Conflict(f"route {index} of plan {route.plan_id}")
    elif kind == "order_updates":
        if item.id not in db.orders or db.orders[item.id].version != item.version - 1:
            raise StaleObject(item.id)
    elif kind == "route_updates":
        before = db.routes.get(item.id)
        if before is None or before.version != item.version - 1:
            raise StaleObject(item.id)
    elif (
        kind == "courier_actions" and (item.courier_id, item.client_event_id) in db.courier_actions
    ):
        raise Conflict(f"courier action {item.client_event_id!r}")
    elif kind in {"brands", "hubs", "vehicles", "couriers"} and item.id in getattr(db, kind):
        raise Conflict(f"{kind} id {item.id!r}")


def _apply(db: FakeDatabase, kind: str, item: Any) -> None:
    if kind == "webhook_write":
        table, key, value = item
        rows = getattr(db, table)
        if value is None:
            rows.pop(key, None)
        else:
            rows[key] = value
    elif kind in {"orders", "order_updates"}:
        db.orders[item.id] = item
    elif kind == "parcels":
        order = db.orders[item.order_id]
        item.version += 1
        order.parcels = [item if p.id == item.id else p for p in order.parcels]
    elif kind == "scans":
        db.scans[(item.hub_id, item.client_event_id)] = item
    elif kind == "idempotency":
        db.idempotency[(item.owner, item.key)] = item
    elif kind in {"users", "user_updates"}:
        db.users[item.id] = item
    elif kind in {"api_keys", "api_key_updates"}:
        db.api_keys[item.prefix] = item
    elif kind == "audit":
        db.audit.append(item)
    elif kind == "pings":
        db.pings.extend(item)
    elif kind in {"plans", "plan_updates"}:
        db.plans[item.id] = item
    elif kind == "blobs":
        db.blobs[item.sha256] = item
    elif kind == "blob_purges":
        for sha256 in item.sha256s:
            if (blob := db.blobs.get(sha256)) is not None and blob.purged_at is None:
                db.blobs[sha256] = replace(blob, purged_at=item.at)
    elif kind == "outbox":
        db.outbox.append((len(db.outbox) + 1, item, None))
    elif kind == "routes":
        route, index = item
        db.routes[route.id] = route
        if route.plan_id is not None and index is not None:
            db.route_indexes[(route.plan_id, index)] = route.id
    elif kind == "route_updates":
        db.routes[item.id] = item
    elif kind == "courier_actions":
        db.courier_actions[(item.courier_id, item.client_event_id)] = item
    elif kind == "proofs":
        db.proofs.append(item)
    elif kind == "eta_announcements":
        db.eta_announcements.append(item)
    elif kind == "eta_states":
        db.eta_states[item.route_id] = item
    else:
        getattr(db, kind)[item.id] = item


def _fresh(item: F) -> F:
    """A copy as the store would give it back: without events recorded but not yet stored
    (tests may put new orders straight into the database)."""
    found = copy.deepcopy(item)
    for aggregate in found if isinstance(found, list) else [found]:
        if hasattr(aggregate, "collect_events"):
            aggregate.collect_events()
    return found


class _Repo:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.uow = uow
        self.db = uow.db


class _Simple(_Repo, Generic[T]):
    """Operator-owned resources: every principal may read them (a brand names its hub)."""

    def __init__(self, uow: FakeUnitOfWork, kind: str) -> None:
        super().__init__(uow)
        self.kind = kind

    def add(self, item: T) -> None:
        self.uow.stage(self.kind, item)

    def get(self, item_id: str) -> T | None:
        found = getattr(self.db, self.kind).get(item_id)
        return copy.deepcopy(found) if found is not None else None

    def list(self) -> list[T]:
        return copy.deepcopy(list(getattr(self.db, self.kind).values()))


class _Brands(_Repo):
    def add(self, brand: Brand) -> None:
        self.uow.stage("brands", brand)

    def get(self, brand_id: str) -> Brand | None:
        brand = self.db.brands.get(brand_id)
        return copy.deepcopy(brand) if brand and self.uow.visible(brand.id) else None

    def list(self) -> list[Brand]:
        return [copy.deepcopy(b) for b in self.db.brands.values() if self.uow.visible(b.id)]

    def save_appearance(self, brand: Brand) -> None:
        self.uow.stage("brands", brand)


class _Orders(_Repo):
    def add(self, order: Order) -> None:
        for parcel in order.parcels:
            parcel.version = 1  # as the store numbers a new parcel's first version
        self.uow.stage("orders", order)
        self.uow.seen.add(order)

    def save(self, order: Order) -> None:
        for parcel in order.parcels:
            if parcel.new_events:
                self.uow.parcels.save(parcel)
        self.uow.seen.add(order)

    def save_wishes(self, order: Order) -> None:
        stored = self.db.orders.get(order.id)
        if stored is None or stored.version != order.version:
            raise StaleObject(order.id)
        order.version += 1
        self.uow.stage("order_updates", order)
        self.save(order)

    def add_all(self, orders: Sequence[Order]) -> None:
        for order in orders:
            self.add(order)

    def _all(self) -> list[Order]:
        return [o for o in self.db.orders.values() if self.uow.visible(o.brand_id)]

    def get(self, order_id: str) -> Order | None:
        order = self.db.orders.get(order_id)
        if order is None:
            return None
        reach = self.uow.visible(order.brand_id) or self.uow.on_my_routes(
            [p.id for p in order.parcels]
        )
        return _fresh(order) if reach else None

    def get_many(self, order_ids: Sequence[str]) -> dict[str, Order]:
        found = (self.get(order_id) for order_id in dict.fromkeys(order_ids))
        return {order.id: order for order in found if order is not None}

    def chains(self, order_id: str) -> Sequence[ParcelChain] | None:
        """As the store keeps them: every event linked to the one before it."""
        order = self.get(order_id)
        if order is None:
            return None
        return [_chain_of(parcel) for parcel in order.parcels]

    def get_by_reference(self, brand_id: str, reference: str) -> Order | None:
        for order in self._all():
            if order.brand_id == brand_id and order.reference == reference:
                return _fresh(order)
        return None

    def get_by_tracking_token(self, token: str) -> Order | None:
        for order in self._all():
            if order.tracking_token == token:
                return _fresh(order)
        return None

    def list(self, query: OrderQuery) -> Page[Order]:
        orders = sorted(self._all(), key=lambda o: (o.created_at, o.id), reverse=True)
        if query.brand_id is not None and self.uow.sees_all:
            orders = [o for o in orders if o.brand_id == query.brand_id]
        if query.reference is not None:
            orders = [o for o in orders if o.reference == query.reference]
        if query.state is not None:
            orders = [o for o in orders if any(p.state is query.state for p in o.parcels)]
        if query.created_from is not None:
            orders = [o for o in orders if o.created_at >= query.created_from]
        if query.created_to is not None:
            orders = [o for o in orders if o.created_at < query.created_to]
        start = 0
        if query.cursor is not None:
            if not query.cursor.startswith("ord_") or query.cursor not in self.db.orders:
                raise ValueError("bad cursor")
            start = next(i for i, o in enumerate(orders) if o.id == query.cursor) + 1
        page = orders[start : start + query.limit]
        more = len(orders) > start + query.limit
        return Page(_fresh(page), page[-1].id if more and page else None)

    def list_for_planning(
        self, hub_id: str, day_start: datetime, day_end: datetime
    ) -> Sequence[Order]:
        found = [
            o
            for o in sorted(self._all(), key=lambda o: o.created_at)
            if o.hub_id in (None, hub_id)
            and any(p.state in PLANNABLE_STATES for p in o.parcels)
            and (o.window is None or (o.window.start < day_end and o.window.end > day_start))
        ]
        return _fresh(found)


def _chain_of(parcel: Parcel) -> ParcelChain:
    records = [chain.EventRecord.of(event) for event in parcel.events]
    hashes = chain.link(records)
    return ParcelChain(
        parcel_id=parcel.id,
        barcode=parcel.barcode,
        state=parcel.state.value,
        links=tuple(
            chain.StoredLink(record, prev, own)
            for record, prev, own in zip(records, [chain.GENESIS, *hashes], hashes, strict=False)
        ),
    )


class _Parcels(_Repo):
    def get(self, parcel_id: str) -> Parcel | None:
        parcel = self.db.parcels().get(parcel_id)
        if parcel is None:
            return None
        reach = self.uow.visible(parcel.brand_id) or self.uow.on_my_routes([parcel_id])
        return _fresh(parcel) if reach else None

    def get_by_barcode(self, barcode: str) -> Parcel | None:
        for parcel in self.db.parcels().values():
            if parcel.barcode == barcode and self.uow.visible(parcel.brand_id):
                return _fresh(parcel)
        return None

    def get_many(self, parcel_ids: Sequence[str]) -> dict[str, Parcel]:
        found = {pid: self.get(pid) for pid in parcel_ids}
        return {pid: parcel for pid, parcel in found.items() if parcel is not None}

    def save(self, parcel: Parcel) -> None:
        self.uow.stage("parcels", parcel)
        self.uow.seen.add(parcel)


class _Scans(_Repo):
    def get(self, hub_id: str, client_event_id: str) -> HubScan | None:
        return None if self.uow.principal.is_brand else self.db.scans.get((hub_id, client_event_id))

    def add(self, scan: HubScan) -> None:
        self.uow.stage("scans", scan)
        self.uow.seen.add(scan)

    def list_exceptions(self, hub_id: str, limit: int = 100) -> list[HubScan]:
        if self.uow.principal.is_brand:
            return []
        found = [
            s
            for s in self.db.scans.values()
            if s.hub_id == hub_id and s.outcome is not ScanOutcome.ACCEPTED
        ]
        return sorted(found, key=lambda s: s.recorded_at, reverse=True)[:limit]


class _Users(_Repo):
    def add(self, user: User) -> None:
        self.uow.stage("users", user)

    def get(self, user_id: str) -> User | None:
        return None if self.uow.principal.is_brand else self.db.users.get(user_id)

    def get_by_email(self, email: str) -> User | None:
        if self.uow.principal.is_brand:
            return None
        return next((u for u in self.db.users.values() if u.email == email), None)

    def list(self) -> list[User]:
        if self.uow.principal.is_brand:
            return []
        return sorted(self.db.users.values(), key=lambda u: u.email)

    def deactivate(self, user_id: str) -> None:
        if (user := self.db.users.get(user_id)) is not None:
            self.uow.stage("user_updates", replace(user, active=False))


class _ApiKeys(_Repo):
    def add(self, key: ApiKey) -> None:
        self.uow.stage("api_keys", key)

    def get_by_prefix(self, prefix: str) -> ApiKey | None:
        key = self.db.api_keys.get(prefix)
        return key if key and self.uow.visible(key.brand_id) else None

    def get(self, key_id: str) -> ApiKey | None:
        found = (k for k in self.db.api_keys.values() if k.id == key_id)
        key = next(found, None)
        return key if key and self.uow.visible(key.brand_id) else None

    def revoke(self, key_id: str, at: datetime) -> None:
        key = self.get(key_id)
        if key is not None and key.revoked_at is None:
            self.uow.stage("api_key_updates", replace(key, revoked_at=at))

    def list_for_brand(self, brand_id: str) -> list[ApiKey]:
        return [
            k
            for k in self.db.api_keys.values()
            if k.brand_id == brand_id and self.uow.visible(k.brand_id)
        ]


class _Audit(_Repo):
    def add(self, entry: AuditEntry) -> None:
        self.uow.stage("audit", entry)

    def list_for(self, target_id: str) -> list[AuditEntry]:
        return [e for e in self.db.audit if e.target_id == target_id]

    def list_recent(self, limit: int, offset: int = 0) -> list[AuditEntry]:
        return list(reversed(self.db.audit))[offset : offset + limit]


class _Pings(_Repo):
    """A courier reaches only their own positions, office staff everyone's, a brand none."""

    def _reaches(self, courier_id: str) -> bool:
        principal = self.uow.principal
        return self.uow.sees_all or (not principal.is_brand and principal.courier_id == courier_id)

    def add_many(self, courier_id: str, pings: Sequence[Ping], received_at: datetime) -> int:
        if not pings:
            return 0
        if courier_id not in self.db.couriers or not self._reaches(courier_id):
            raise InvalidValue("courier_id", f"no such courier: {courier_id}")
        self.uow.stage("pings", [StoredPing(courier_id, p, received_at) for p in pings])
        return len(pings)

    def list_for(self, courier_id: str, since: datetime, until: datetime) -> list[Ping]:
        if not self._reaches(courier_id):
            return []
        found = [
            s.ping
            for s in self.db.pings
            if s.courier_id == courier_id and since <= s.ping.at < until
        ]
        return sorted(found, key=lambda p: p.at)

    def purge(self, *, before: datetime) -> int:
        with self.db.lock:
            kept = [
                s for s in self.db.pings if s.ping.at >= before or not self._reaches(s.courier_id)
            ]
            purged = len(self.db.pings) - len(kept)
            self.db.pings = kept
        return purged


class _Idempotency(_Repo):
    def get(self, owner: str, key: str, *, not_before: datetime) -> IdempotencyRecord | None:
        record = self.db.idempotency.get((owner, key))
        return record if record and record.created_at >= not_before else None

    def add(self, record: IdempotencyRecord) -> None:
        self.uow.stage("idempotency", record)

    def purge(self, *, before: datetime) -> int:
        with self.db.lock:
            old = [k for k, record in self.db.idempotency.items() if record.created_at < before]
            for k in old:
                del self.db.idempotency[k]
        return len(old)


class _Plans(_Repo):
    """Operator resources, as in the store: a brand neither reads nor writes plans."""

    def add(self, plan: PlanRecord) -> None:
        if self.uow.principal.is_brand:
            raise ValueError("brands may not add plans")
        self.uow.stage("plans", plan)
        self.uow.seen.add(plan)

    def get(self, plan_id: str) -> PlanRecord | None:
        return None if self.uow.principal.is_brand else self.db.plans.get(plan_id)

    def save(self, plan: PlanRecord) -> None:
        if self.get(plan.id) is None:
            raise ValueError(f"no such plan: {plan.id}")
        self.uow.stage("plan_updates", plan)
        self.uow.seen.add(plan)

    def list_unfinished(self) -> list[PlanRecord]:
        if self.uow.principal.is_brand:
            return []
        found = [p for p in self.db.plans.values() if not p.status.finished]
        return sorted(found, key=lambda p: p.created_at)


class _Routes(_Repo):
    """A courier sees their own routes; brands none; office staff all."""

    def _visible(self, route: Route) -> bool:
        principal = self.uow.principal
        if principal.is_brand:
            return False
        return principal.may_operate_hub() or route.courier_id == principal.courier_id

    def _found(self, route: Route | None) -> Route | None:
        if route is None or not self._visible(route):
            return None
        found = _fresh(route)
        self.uow.seen.add(found)
        return found

    def add(self, route: Route, *, plan_index: int | None = None) -> None:
        if not self.uow.principal.may_operate_hub():
            raise ValueError("routes are dispatched by office staff")
        route.version = 1
        self.uow.seen.add(route)
        self.uow.stage("routes", (route, plan_index))

    def get(self, route_id: str) -> Route | None:
        return self._found(self.db.routes.get(route_id))

    def get_by_stop(self, stop_id: str) -> Route | None:
        for route in self.db.routes.values():
            if any(s.id == stop_id for s in route.stops):
                return self._found(route)
        return None

    def save(self, route: Route) -> None:
        route.version += 1
        self.uow.seen.add(route)
        self.uow.stage("route_updates", route)

    def find(self, *, route_date: date | None = None, courier_id: str | None = None) -> list[Route]:
        return [
            r
            for r in self.db.routes.values()
            if self._visible(r)
            and (route_date is None or r.route_date == route_date)
            and (courier_id is None or r.courier_id == courier_id)
        ]

    def open_for_courier(self, courier_id: str, route_date: date) -> list[Route]:
        found = self.find(route_date=route_date, courier_id=courier_id)
        return [r for r in found if r.state is not RouteState.FINISHED]

    def open_for_parcel(self, parcel_id: str) -> RouteSummary | None:
        for route in self.find():
            if route.state is RouteState.FINISHED:
                continue
            for stop in route.active_stops:
                if parcel_id in stop.parcel_ids:
                    vehicle = self.db.vehicles.get(route.vehicle_id)
                    return RouteSummary(
                        route_id=route.id,
                        vehicle_id=route.vehicle_id,
                        vehicle_name=vehicle.name if vehicle else route.vehicle_id,
                        courier_id=route.courier_id,
                        stop_id=stop.id,
                        route_state=route.state.value,
                    )
        return None

    def has_started(self, courier_id: str) -> bool:
        return any(r.state is RouteState.STARTED for r in self.find(courier_id=courier_id))

    def dispatched_plan_indexes(self, plan_id: str) -> set[int]:
        return {i for (p, i) in self.db.route_indexes if p == plan_id}


class _CourierActions(_Repo):
    def get(self, courier_id: str, client_event_id: str) -> CourierAction | None:
        return self.db.courier_actions.get((courier_id, client_event_id))

    def add(self, action: CourierAction) -> None:
        self.uow.stage("courier_actions", action)

    def list_for_route(self, route_id: str) -> list[CourierAction]:
        return [a for a in self.db.courier_actions.values() if a.route_id == route_id]


class _Proofs(_Repo):
    def add(self, proof: ProofRecord) -> None:
        self.uow.stage("proofs", proof)

    def list_for_order(self, order_id: str) -> list[ProofRecord]:
        return [
            p for p in self.db.proofs if p.order_id == order_id and self.uow.visible(p.brand_id)
        ]


class _Blobs(_Repo):
    """Open to every principal, as in the store: a blob is named by its own content."""

    def add(self, blob: BlobRecord) -> None:
        self.uow.stage("blobs", blob)

    def get(self, sha256: str) -> BlobRecord | None:
        return self.db.blobs.get(sha256)

    def list_due_for_purge(self, *, created_before: datetime, limit: int) -> list[BlobRecord]:
        due = [
            b for b in self.db.blobs.values() if b.created_at < created_before and not b.purged_at
        ]
        return sorted(due, key=lambda b: b.created_at)[:limit]

    def mark_purged(self, purge: PhotoPurge) -> None:
        self.uow.stage("blob_purges", purge)
        self.uow.seen.add(purge)


class _Eta(_Repo):
    """Announcements appended, read as the route (by route) or the parcel (by parcel)."""

    def _route(self, route_id: str) -> Route | None:
        route = self.db.routes.get(route_id)
        return route if route is not None and _Routes(self.uow)._visible(route) else None

    def add(self, route_id: str, window: AnnouncedWindow) -> None:
        route = self._route(route_id)
        if route is None or not any(s.id == window.stop_id for s in route.stops):
            raise InvalidValue("stop_id", f"no stop {window.stop_id} on route {route_id}")
        self.uow.stage("eta_announcements", (route_id, window))

    def record(self, round_: EtaRound) -> None:
        for window in round_.announcements:
            self.add(round_.route_id, window)
        self.uow.seen.add(round_)

    def list_for_route(self, route_id: str) -> list[AnnouncedWindow]:
        if self._route(route_id) is None:
            return []
        found = [w for r, w in self.db.eta_announcements if r == route_id]
        return sorted(found, key=lambda w: w.announced_at)

    def latest_for_parcels(self, parcel_ids: Sequence[str]) -> dict[str, AnnouncedWindow]:
        visible = self.uow.parcels.get_many(parcel_ids)
        latest: dict[str, AnnouncedWindow] = {}
        for _, window in self.db.eta_announcements:
            latest[window.stop_id] = window
        found: dict[str, AnnouncedWindow] = {}
        for route in self.db.routes.values():
            if route.state is RouteState.FINISHED:
                continue
            for stop in route.active_stops:
                for parcel_id in stop.parcel_ids:
                    if parcel_id in visible and stop.id in latest:
                        found[parcel_id] = latest[stop.id]
        return found

    def state(self, route_id: str) -> RouteEtaState | None:
        return self.db.eta_states.get(route_id) if self._route(route_id) else None

    def save_state(self, state: RouteEtaState) -> None:
        if self._route(state.route_id) is None:
            raise InvalidValue("route_id", f"no such route: {state.route_id}")
        self.uow.stage("eta_states", replace(state, version=state.version + 1))


class _Outbox(_Repo):
    def add(self, event: DomainEvent) -> None:
        """Stored as a database column gives it back: a payload that is not JSON fails here."""
        self.uow.stage("outbox", replace(event, payload=json.loads(json.dumps(event.payload))))

    def has_pending(self) -> bool:
        return any(sent is None for _, _, sent in self.db.outbox)

    def pending(self, limit: int = 100) -> list[tuple[int, DomainEvent]]:
        return [(i, e) for i, e, sent in self.db.outbox if sent is None][:limit]

    def claim_pending(self, limit: int = 100) -> list[tuple[int, DomainEvent]]:
        return self.pending(limit)

    def mark_sent(self, ids: Sequence[int], at: datetime) -> None:
        with self.db.lock:
            self.db.outbox = [(i, e, at if i in ids else sent) for i, e, sent in self.db.outbox]


class FakeClock:
    """A clock tests move by hand."""

    def __init__(self, now: datetime | None = None) -> None:
        self.current = now or datetime(2026, 11, 26, 6, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


def uow_factory(db: FakeDatabase) -> UnitOfWorkFactory:
    def make(principal: Principal) -> UnitOfWork:
        return FakeUnitOfWork(db, principal)

    return make


class MemoryBlobStore:
    """The blob store in a dict, for use cases; the real ones pass the same contract test
    (tests/integration/store/test_blob_stores.py)."""

    def __init__(self) -> None:
        self.files: dict[tuple[str, BlobVariant], tuple[bytes, str]] = {}

    def put(self, sha256: str, variant: BlobVariant, data: bytes, content_type: str) -> None:
        self.files[(sha256, variant)] = (bytes(data), content_type)

    def get(self, sha256: str, variant: BlobVariant) -> bytes | None:
        found = self.files.get((sha256, variant))
        return None if found is None else found[0]

    def exists(self, sha256: str, variant: BlobVariant) -> bool:
        return (sha256, variant) in self.files

    def delete(self, sha256: str, variant: BlobVariant) -> None:
        self.files.pop((sha256, variant), None)


def _conforms(store: MemoryBlobStore) -> BlobStore:
    """Never called: makes mypy check that the fake satisfies the port."""
    return store


class _Notifications(_Repo):
    """Written at once, not at commit: the unit tests of notifications use real databases."""

    def add(self, message: NotificationMessage) -> None:
        with self.db.lock:
            if self.exists(message.order_id, message.channel, message.dedupe_key):
                raise Conflict(f"notification {message.dedupe_key!r}")
            self.db.notifications[message.id] = message

    def exists(self, order_id: str, channel: str, dedupe_key: str) -> bool:
        return any(
            (m.order_id, m.channel.value, m.dedupe_key) == (order_id, channel, dedupe_key)
            for m in self.db.notifications.values()
        )

    def get(self, message_id: str) -> NotificationMessage | None:
        return self.db.notifications.get(message_id)

    def due(self, now: datetime, limit: int) -> list[str]:
        due = [
            m
            for m in self.db.notifications.values()
            if m.status is MessageStatus.PENDING and m.not_before <= now
        ]
        return [m.id for m in sorted(due, key=lambda m: m.not_before)][:limit]

    def claim(self, message_id: str, now: datetime) -> NotificationMessage | None:
        with self.db.lock:
            found = self.db.notifications.get(message_id)
            if found is None or found.status is not MessageStatus.PENDING:
                return None
            claimed = replace(
                found, status=MessageStatus.SENDING, attempts=found.attempts + 1, sent_at=now
            )
            self.db.notifications[message_id] = claimed
            return claimed

    def stale_sending(self, before: datetime, limit: int) -> list[NotificationMessage]:
        return [
            m
            for m in self.db.notifications.values()
            if m.status is MessageStatus.SENDING and m.sent_at is not None and m.sent_at < before
        ][:limit]

    def save(self, message: NotificationMessage) -> None:
        self.db.notifications[message.id] = message

    def list_for_order(self, order_id: str) -> list[NotificationMessage]:
        return [m for m in self.db.notifications.values() if m.order_id == order_id]


class _NotificationSettings(_Repo):
    def get(self, brand_id: str) -> NotificationSettings | None:
        return self.db.notification_settings.get(brand_id)

    def save(self, settings: NotificationSettings) -> None:
        self.db.notification_settings[settings.brand_id] = settings


class _SmsOptOuts(_Repo):
    def is_opted_out(self, phone_key: str) -> bool:
        return self.db.sms_opt_outs.get(phone_key, False)

    def record(self, phone_key: str, opted_out: bool, at: datetime) -> None:
        self.db.sms_opt_outs[phone_key] = opted_out


class _DeliveryPolicies(_Repo):
    def get(self, brand_id: str) -> DeliveryPolicy | None:
        return self.db.delivery_policies.get(brand_id)

    def put(self, brand_id: str, policy: DeliveryPolicy, *, at: datetime, actor: str) -> None:
        if brand_id not in self.db.brands:
            raise InvalidValue("brand_id", f"no such brand: {brand_id}")
        self.db.delivery_policies[brand_id] = policy

    def returns_started(self, brand_id: str, start: datetime, end: datetime) -> list[str]:
        raise NotImplementedError("the returns manifest is tested against the real store")
