"""Domain objects to public schemas: what a caller may see, and nothing more.

Access codes never leave here (only the courier's app reveals them, with an audit entry).
"""

from __future__ import annotations

from datetime import datetime

from doorstep.api.schemas.accounts import ApiKeyIssued, ApiKeyPublic, BrandPublic, UserPublic
from doorstep.api.schemas.fleet import CapacityIn, CourierPublic, HubPublic, VehiclePublic
from doorstep.api.schemas.orders import (
    AddressPublic,
    OrderPublic,
    ParcelEventPublic,
    ParcelPublic,
    RecipientPublic,
    WindowPublic,
)
from doorstep.api.schemas.plans import PlanLinks, PlanProgress, PlanPublic
from doorstep.api.schemas.routes import (
    AnnouncedWindowPublic,
    HubRef,
    ProofNeeds,
    RoutePublic,
    RouteSummaryPublic,
    StopParcel,
    StopPublic,
)
from doorstep.api.schemas.scans import ScanPublic, ScanTargetPublic
from doorstep.domain.eta import AnnouncedWindow
from doorstep.domain.model import Brand, Courier, Hub, Order, Vehicle
from doorstep.domain.parcel import Parcel, ParcelEvent
from doorstep.domain.route import Route
from doorstep.domain.scan import HubScan, RouteLeg
from doorstep.planning.document import PlanDocument
from doorstep.services import plans
from doorstep.services.accounts.use_cases import IssuedKey
from doorstep.services.orders.use_cases import order_status
from doorstep.services.plans.use_cases import StoredPlanRequest
from doorstep.services.ports import ApiKey, PlanRecord, User
from doorstep.services.routes.views import RouteView, StopView


def parcel(item: Parcel) -> ParcelPublic:
    dims = item.dimensions
    return ParcelPublic(
        id=item.id,
        order_id=item.order_id,
        barcode=item.barcode,
        state=item.state,
        weight_kg=item.weight_kg,
        length_cm=dims.length_cm if dims else None,
        width_cm=dims.width_cm if dims else None,
        height_cm=dims.height_cm if dims else None,
        bay=item.bay,
        vehicle_id=item.vehicle_id,
        attempts=item.attempts,
        label_url=f"/v1/parcels/{item.id}/label",
    )


def order(item: Order, tracking_base_url: str) -> OrderPublic:
    address, point = item.address, item.address.point
    return OrderPublic(
        id=item.id,
        reference=item.reference,
        brand_id=item.brand_id,
        status=order_status(item),
        tracking_url=tracking_base_url + item.tracking_token,
        created_at=item.created_at,
        recipient=RecipientPublic(
            name=item.recipient.name, phone=item.recipient.phone, email=item.recipient.email
        ),
        address=AddressPublic(
            lines=list(address.lines),
            postcode=address.postcode,
            city=address.city,
            lat=point.lat if point else None,
            lon=point.lon if point else None,
            address_type=address.address_type,
            access_notes=address.access_notes,
        ),
        service_level=item.service_level,
        window=WindowPublic(start=item.window.start, end=item.window.end) if item.window else None,
        closed=WindowPublic(start=item.closed.start, end=item.closed.end) if item.closed else None,
        priority=item.priority,
        hub_id=item.hub_id,
        parcels=[parcel(p) for p in item.parcels],
        pin_required=item.proof_requirements.pin_required,
        minimum_age=item.minimum_age,
        safe_place=item.safe_place,
    )


def parcel_event(event: ParcelEvent) -> ParcelEventPublic:
    return ParcelEventPublic(
        sequence=event.sequence,
        action=event.action.value,
        from_state=event.from_state,
        to_state=event.to_state,
        at=event.at,
        actor=event.actor,
        place=event.place,
        reason_code=event.reason_code,
        details=dict(event.details),
    )


def scan(item: HubScan, route: RouteLeg | None = None) -> ScanPublic:
    """A scan as stored, with the route the parcel rides on now (sort and load answers)."""
    return ScanPublic(
        id=item.id,
        hub_id=item.hub_id,
        client_event_id=item.client_event_id,
        barcode=item.barcode,
        kind=item.kind,
        target=ScanTargetPublic(
            bay=item.target.bay, route_id=item.target.route_id, vehicle_id=item.target.vehicle_id
        ),
        outcome=item.outcome,
        message=item.message,
        parcel_id=item.parcel_id,
        parcel_state=item.parcel_state,
        scanned_at=item.scanned_at,
        recorded_at=item.recorded_at,
        route_id=None if route is None else route.route_id,
        vehicle_id=None if route is None else route.vehicle_id,
        vehicle_name=None if route is None else route.vehicle_name,
        load_position=None if route is None else route.load_position,
        load_count=None if route is None else route.load_count,
    )


def hub(item: Hub) -> HubPublic:
    return HubPublic(
        id=item.id,
        name=item.name,
        address=item.address,
        lat=item.point.lat,
        lon=item.point.lon,
        opens=item.opening_hours.opens,
        closes=item.opening_hours.closes,
    )


def vehicle(item: Vehicle) -> VehiclePublic:
    cap = item.capacity
    return VehiclePublic(
        id=item.id,
        name=item.name,
        vehicle_type=item.vehicle_type,
        capacity=CapacityIn(
            parcels=cap.parcels, weight_kg=cap.weight_kg, volume_litres=cap.volume_litres
        ),
        hub_id=item.hub_id,
    )


def courier(item: Courier) -> CourierPublic:
    return CourierPublic(id=item.id, name=item.name, phone=item.phone, vehicle_id=item.vehicle_id)


def brand(item: Brand) -> BrandPublic:
    return BrandPublic(id=item.id, name=item.name)


def issued_key(item: IssuedKey) -> ApiKeyIssued:
    key = item.key
    return ApiKeyIssued(
        id=key.id,
        brand_id=key.brand_id,
        prefix=key.prefix,
        name=key.name,
        created_at=key.created_at,
        api_key=item.token,
    )


def api_key(key: ApiKey) -> ApiKeyPublic:
    return ApiKeyPublic(
        id=key.id,
        brand_id=key.brand_id,
        prefix=key.prefix,
        name=key.name,
        created_at=key.created_at,
        revoked_at=key.revoked_at,
    )


def user(item: User) -> UserPublic:
    return UserPublic(
        id=item.id,
        email=item.email,
        name=item.name,
        role=item.role,
        courier_id=item.courier_id,
        active=item.active,
    )


def plan(item: PlanRecord, now: datetime, base: str) -> PlanPublic:
    """``base`` is the API prefix (``/v1``): links are paths, valid behind any host."""
    elapsed, fraction = plans.progress(item, now)
    url = f"{base}/plans/{item.id}"
    return PlanPublic(
        id=item.id,
        status=item.status.value,
        hub_id=item.hub_id,
        date=item.plan_date,
        network=item.network,
        progress=PlanProgress(
            elapsed_s=round(elapsed, 1), budget_s=item.budget_s, fraction=round(fraction, 3)
        ),
        created_at=item.created_at,
        started_at=item.started_at,
        finished_at=item.finished_at,
        error=item.error,
        request=StoredPlanRequest.model_validate(item.request),
        links=PlanLinks(self=url, geojson=f"{url}/geojson"),
        result=None if item.result is None else PlanDocument.model_validate(item.result),
    )


def route_view(view: RouteView) -> RoutePublic:
    route = view.route
    hub = view.hub
    return RoutePublic(
        id=route.id,
        plan_id=route.plan_id,
        hub=None
        if hub is None
        else HubRef(id=hub.id, name=hub.name, lat=hub.point.lat, lon=hub.point.lon),
        date=route.route_date,
        courier_id=route.courier_id,
        vehicle_id=route.vehicle_id,
        vehicle_name=None if view.vehicle is None else view.vehicle.name,
        state=route.state.value,
        version=route.version,
        started_at=route.started_at,
        finished_at=route.finished_at,
        stops=[_stop(s) for s in view.stops],
    )


def _stop(view: StopView) -> StopPublic:
    stop = view.stop
    references = {o.id: o.reference for o in view.orders}
    return StopPublic(
        id=stop.id,
        sequence=stop.sequence,
        state=stop.state.value,
        lat=stop.point.lat,
        lon=stop.point.lon,
        postcode=stop.postcode,
        address_lines=list(stop.address_lines),
        recipient_first_name=stop.recipient_first_name,
        instructions=view.instructions,
        has_access_code=view.has_access_code,
        window=None
        if stop.window is None
        else WindowPublic(start=stop.window.start, end=stop.window.end),
        planned_arrival=stop.planned_arrival,
        arrived_at=stop.arrived_at,
        geofence_mismatch=stop.geofence_mismatch,
        done_at=stop.done_at,
        note=stop.note,
        safe_place_preference=view.safe_place_preference,
        neighbour=view.neighbour,
        has_access_notes=view.has_access_notes,
        needs_more_time=view.needs_more_time,
        wait_s=view.wait_s,
        rescheduled_to=view.rescheduled_to,
        proof=ProofNeeds(
            methods=[m.value for m in view.methods],
            pin_required=view.pin_required,
            minimum_age=view.minimum_age,
        ),
        parcels=[
            StopParcel(
                id=p.id,
                barcode=p.barcode,
                order_id=p.order_id,
                reference=references.get(p.order_id, ""),
                state=p.state.value,
            )
            for p in view.parcels
        ],
        predicted_arrival=view.predicted_arrival,
        announced_window=_announced(view.announced_window),
    )


def _announced(window: AnnouncedWindow | None) -> AnnouncedWindowPublic | None:
    if window is None:
        return None
    return AnnouncedWindowPublic(
        kind=window.kind,  # type: ignore[arg-type]
        start=window.start,
        end=window.end,
        announced_at=window.announced_at,
    )


def route_summary(route: Route) -> RouteSummaryPublic:
    active = route.active_stops
    return RouteSummaryPublic(
        id=route.id,
        plan_id=route.plan_id,
        date=route.route_date,
        courier_id=route.courier_id,
        vehicle_id=route.vehicle_id,
        state=route.state.value,
        version=route.version,
        stops=len(active),
        stops_done=sum(1 for s in active if s.state.done),
    )
