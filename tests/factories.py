"""Test data factories: one place that knows how to make a valid object of each kind."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from doorstep.domain import ids
from doorstep.domain.model import (
    Address,
    AddressType,
    Brand,
    Capacity,
    GeoPoint,
    Hub,
    OpeningHours,
    Order,
    Recipient,
    ServiceLevel,
    TimeWindow,
    Vehicle,
    VehicleType,
)
from doorstep.domain.parcel import Parcel, ParcelAction
from doorstep.domain.webhooks import DeliveryStatus, WebhookDelivery, WebhookEndpoint

MORNING = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)


def brand(**overrides: Any) -> Brand:
    fields: dict[str, Any] = {"id": ids.new_id("brd"), "name": "Camden Coffee Co"}
    return Brand(**(fields | overrides))


def hub(**overrides: Any) -> Hub:
    from datetime import time

    fields: dict[str, Any] = {
        "id": ids.new_id("hub"),
        "name": "Kentish Town Hub",
        "point": GeoPoint(51.5502, -0.1405),
        "address": "1 Regis Road, London NW5 3EW",
        "opening_hours": OpeningHours(time(6, 0), time(22, 0)),
    }
    return Hub(**(fields | overrides))


def vehicle(**overrides: Any) -> Vehicle:
    fields: dict[str, Any] = {
        "id": ids.new_id("veh"),
        "name": "Van 1",
        "vehicle_type": VehicleType.VAN,
        "capacity": Capacity(parcels=150, weight_kg=800.0, volume_litres=6000.0),
    }
    return Vehicle(**(fields | overrides))


def address(**overrides: Any) -> Address:
    fields: dict[str, Any] = {
        "lines": ("12 Gate Street",),
        "postcode": "WC2A 3HP",
        "point": GeoPoint(51.5172349, -0.1192033),
        "address_type": AddressType.HOUSE,
    }
    return Address(**(fields | overrides))


def parcel(*, order_id: str | None = None, brand_id: str | None = None, **overrides: Any) -> Parcel:
    fields: dict[str, Any] = {
        "id": ids.new_id("par"),
        "order_id": order_id or ids.new_id("ord"),
        "brand_id": brand_id or ids.new_id("brd"),
        "barcode": ids.new_barcode(),
        "weight_kg": 1.5,
    }
    return Parcel(**(fields | overrides))


def deliver(
    parcel: Parcel,
    *,
    vehicle_id: str = "veh_test",
    signature: str | None = None,
    photos: tuple[str, ...] = (),
    at: datetime = MORNING,
) -> Parcel:
    """Take ``parcel`` from created to delivered, the delivery naming its proof files."""
    proof = {"signature": signature} if signature else {}
    if photos:
        proof["photos"] = ",".join(photos)
    steps: list[tuple[ParcelAction, dict[str, Any]]] = [
        (ParcelAction.RECEIVE, {"place": "hub_test"}),
        (ParcelAction.SORT, {"bay": "B4"}),
        (ParcelAction.LOAD, {"vehicle_id": vehicle_id}),
        (ParcelAction.DEPART, {}),
        (ParcelAction.DELIVER, {"details": proof}),
    ]
    for minute, (action, extra) in enumerate(steps):
        parcel.apply(action, actor="usr_test", at=at + timedelta(minutes=minute), **extra)
    return parcel


def order(*, brand_id: str | None = None, parcels: int = 1, **overrides: Any) -> Order:
    order_id = overrides.pop("id", ids.new_id("ord"))
    owner = brand_id or ids.new_id("brd")
    fields: dict[str, Any] = {
        "id": order_id,
        "brand_id": owner,
        "reference": f"REF-{ids.new_barcode()}",
        "recipient": Recipient(name="Ada Lovelace", phone="+447700900123"),
        "address": address(),
        "service_level": ServiceLevel.NEXT_DAY,
        "tracking_token": ids.new_tracking_token(),
        "created_at": MORNING,
        "window": TimeWindow(MORNING + timedelta(hours=3), MORNING + timedelta(hours=5)),
        "parcels": [parcel(order_id=order_id, brand_id=owner) for _ in range(parcels)],
    }
    return Order.create(**(fields | overrides))


def create_order_command(**overrides: Any) -> Any:
    """A valid ``services.orders.CreateOrder`` with one parcel and a unique reference."""
    from doorstep.services.orders.use_cases import CreateOrder, ParcelSpec

    fields: dict[str, Any] = {
        "reference": f"SHOP-{ids.new_barcode()}",
        "recipient": Recipient(name="Ada Lovelace", phone="+447700900123"),
        "address": address(),
        "service_level": ServiceLevel.NEXT_DAY,
        "parcels": (ParcelSpec(weight_kg=1.2),),
        "window": TimeWindow(MORNING + timedelta(hours=27), MORNING + timedelta(hours=29)),
    }
    return CreateOrder(**(fields | overrides))


def order_payload(**overrides: Any) -> dict[str, Any]:
    """A valid JSON body for ``POST /v1/orders`` (the contract's example, unique reference)."""
    fields: dict[str, Any] = {
        "reference": f"SHOP-{ids.new_barcode()}",
        "recipient": {"name": "Ada Lovelace", "phone": "+447700900123", "email": "ada@example.com"},
        "address": {
            "lines": ["Flat 3", "12 Gate Street"],
            "postcode": "WC2A 3HP",
            "city": "London",
            "lat": 51.5172,
            "lon": -0.1192,
            "address_type": "flat",
            "access_notes": "Ring twice",
            "access_code": "4711",
        },
        "service_level": "next_day",
        "window": {"start": "2026-11-26T10:00:00Z", "end": "2026-11-26T12:00:00Z"},
        "priority": "normal",
        "parcels": [{"weight_kg": 1.2, "length_cm": 30, "width_cm": 20, "height_cm": 10}],
    }
    return fields | overrides


def hub_payload(**overrides: Any) -> dict[str, Any]:
    """A valid JSON body for ``POST /v1/hubs``."""
    fields: dict[str, Any] = {
        "name": "Camden",
        "address": "1 Camden Road, NW1 9LL",
        "lat": 51.5390,
        "lon": -0.1426,
    }
    return fields | overrides


def scan_payload(barcode: str, **overrides: Any) -> dict[str, Any]:
    """A valid JSON body for ``POST /v1/hubs/{id}/scans``: a receive scan, unique event id."""
    fields: dict[str, Any] = {
        "client_event_id": f"scanner-1-{ids.new_barcode()}",
        "barcode": barcode,
        "kind": "receive",
        "scanned_at": "2026-01-01T06:00:00Z",
    }
    return fields | overrides


def courier(**overrides: Any) -> Any:
    from doorstep.domain.model import Courier

    fields: dict[str, Any] = {"id": ids.new_id("cou"), "name": "Sam Courier"}
    return Courier(**(fields | overrides))


def plan_result(
    hub: Hub, vehicle: Vehicle, orders: list[Order], *, start: datetime = MORNING
) -> dict[str, Any]:
    """A solved plan document with one route visiting ``orders`` in the given order."""
    from doorstep.planning.document import PlanDocument

    stops = []
    for n, item in enumerate(orders, start=1):
        point = item.address.point or hub.point
        arrival = start + timedelta(minutes=15 * n)
        stops.append(
            {
                "sequence": n,
                "stop_id": f"s{n}",
                "lat": point.lat,
                "lon": point.lon,
                "postcode": item.address.postcode,
                "address_lines": list(item.address.lines),
                "recipient_first_name": item.recipient.name.split()[0],
                "parcel_ids": [p.id for p in item.parcels],
                "parcels": [],
                "arrival": arrival.isoformat(),
                "service_start": arrival.isoformat(),
                "departure": (arrival + timedelta(minutes=3)).isoformat(),
            }
        )
    end = start + timedelta(minutes=15 * (len(orders) + 1))
    parcels = sum(len(o.parcels) for o in orders)
    document = {
        "date": start.date().isoformat(),
        "departure": start.isoformat(),
        "hubs": [{"id": hub.id, "lat": hub.point.lat, "lon": hub.point.lon}],
        "routes": [
            {
                "vehicle_id": vehicle.id,
                "vehicle_type": vehicle.vehicle_type.value,
                "start_hub": hub.id,
                "end_hub": hub.id,
                "start": start.isoformat(),
                "end": end.isoformat(),
                "distance_m": 1000 * len(orders),
                "duration_s": 900 * len(orders),
                "load": {"parcels": parcels, "weight_kg": 1.5 * parcels, "volume_litres": 1.0},
                "co2_kg": 0.1,
                "cost": 10.0,
                "break": None,
                "stops": stops,
            }
        ],
        "totals": {
            "routes": 1,
            "stops": len(stops),
            "parcels": parcels,
            "distance_m": 1000 * len(orders),
            "duration_s": 900 * len(orders),
            "co2_kg": 0.1,
            "cost": 10.0,
            "unassigned_stops": 0,
        },
        "unassigned": [],
    }
    return PlanDocument.model_validate(document).to_json()


def webhook_endpoint(*, brand_id: str, **overrides: Any) -> WebhookEndpoint:
    """An enabled endpoint for ``order.created`` at a loopback URL (test mode allows it)."""
    fields: dict[str, Any] = {
        "id": ids.new_id("whe"),
        "brand_id": brand_id,
        "url": "http://127.0.0.1:9/hooks",
        "event_types": ("order.created", "parcel.delivered"),
        "enabled": True,
        "secret": "whsec_" + "QUJD" * 11,
        "created_at": MORNING,
        "updated_at": MORNING,
    }
    return WebhookEndpoint(**(fields | overrides))


def webhook_delivery(
    endpoint: WebhookEndpoint, *, outbox_id: int, **overrides: Any
) -> WebhookDelivery:
    """A pending delivery of an ``order.created`` to ``endpoint``, due at MORNING."""
    fields: dict[str, Any] = {
        "id": ids.new_id("msg"),
        "endpoint_id": endpoint.id,
        "brand_id": endpoint.brand_id,
        "outbox_id": outbox_id,
        "event_name": "order.created",
        "body": '{"type":"order.created"}',
        "status": DeliveryStatus.PENDING,
        "created_at": MORNING,
        "retrying_since": MORNING,
        "next_attempt_at": MORNING,
    }
    return WebhookDelivery(**(fields | overrides))
