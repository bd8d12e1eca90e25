"""An in-memory Doorstep speaking the HTTP API of docs/api.md, behind an httpx.MockTransport.

Scans go through the real parcel state machine (``doorstep.domain.parcel``), so a scan
plan that this server accepts is one the real hub accepts too. Only what the sim uses
is implemented: creating orders and recording scans, with idempotency on both.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import httpx

from doorstep.domain import ids
from doorstep.domain.errors import DomainError, InvalidTransition
from doorstep.domain.parcel import Parcel
from doorstep.domain.scan import ScanKind
from tests import factories


class ContractServer:
    def __init__(self, brand_tokens: dict[str, str], admin_token: str = "admin-token") -> None:
        self.brand_of_token = {token: brand for brand, token in brand_tokens.items()}
        self.admin_token = admin_token
        self.parcels: dict[str, Parcel] = {}
        self.orders: dict[str, dict[str, Any]] = {}  # by idempotency key
        self.scans: dict[str, tuple[int, dict[str, Any]]] = {}  # by client_event_id
        self.exceptions: list[str] = []

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        body = json.loads(request.content)
        if request.url.path == "/v1/orders" and token in self.brand_of_token:
            return self._create_order(self.brand_of_token[token], request, body)
        if request.url.path.endswith("/scans") and token == self.admin_token:
            return self._scan(body)
        return httpx.Response(401, json={"title": "Unauthorized", "status": 401})

    def _create_order(
        self, brand_id: str, request: httpx.Request, body: dict[str, Any]
    ) -> httpx.Response:
        key = request.headers.get("Idempotency-Key", ids.new_id("ord"))
        if key not in self.orders:
            order_id = ids.new_id("ord")
            parcels = []
            for spec in body["parcels"]:
                parcel = factories.parcel(
                    order_id=order_id, brand_id=brand_id, weight_kg=spec["weight_kg"]
                )
                self.parcels[parcel.barcode] = parcel
                parcels.append({"id": parcel.id, "barcode": parcel.barcode, "state": "created"})
            address = {k: v for k, v in body["address"].items() if k != "access_code"}
            self.orders[key] = body | {
                "id": order_id,
                "brand_id": brand_id,
                "status": "created",
                "tracking_url": f"http://127.0.0.1:8000/t/{ids.new_tracking_token()}",
                "address": address,
                "parcels": parcels,
            }
        return httpx.Response(201, json=self.orders[key])

    def _scan(self, body: dict[str, Any]) -> httpx.Response:
        event_id = body["client_event_id"]
        if event_id not in self.scans:
            self.scans[event_id] = self._apply_scan(body)
        status, answer = self.scans[event_id]
        return httpx.Response(status, json=answer)

    def _apply_scan(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        parcel = self.parcels.get(body["barcode"])
        if parcel is None:
            self.exceptions.append(body["barcode"])
            return 202, {"id": ids.new_id("scn"), "outcome": "unknown_barcode", "message": "?"}
        target = body["target"]
        try:
            parcel.apply(
                ScanKind(body["kind"]).action,
                actor="usr_admin",
                at=datetime.fromisoformat(body["scanned_at"]),
                bay=target.get("bay"),
                vehicle_id=target.get("vehicle_id"),
            )
        except DomainError as exc:
            problem: dict[str, Any] = {
                "title": "Scan refused",
                "status": 409,
                "detail": exc.message,
            }
            problem["current_state"] = parcel.state.value
            if isinstance(exc, InvalidTransition):
                problem["allowed_actions"] = exc.allowed
            return 409, problem
        accepted = {
            "id": ids.new_id("scn"),
            "outcome": "accepted",
            "message": f"{parcel.barcode} {parcel.state.value}",
            "parcel_id": parcel.id,
            "parcel_state": parcel.state.value,
        }
        return 201, accepted
