"""A delivery's proof over real HTTP: the courier uploads a photo and a signature, syncs
the actions, and the brand reads the proof (signed image links, a PDF) and verifies it."""

from __future__ import annotations

from datetime import timedelta

import httpx

from doorstep.domain.access import Principal
from doorstep.services import accounts
from tests import factories
from tests.courier_day import CourierDay, dispatched_day
from tests.images import photo, sha256
from tests.integration.live_server import PASSWORD, LiveApi

SYSTEM = Principal.system("tests")
T0 = factories.MORNING


def _ready(live_api: LiveApi) -> tuple[CourierDay, httpx.Client, httpx.Client]:
    container = live_api.container
    day = dispatched_day(
        container.uow_factory, stops=2, password_hash=container.passwords.hash(PASSWORD)
    )
    login = live_api.client().post(
        "/v1/auth/token", json={"email": day.email, "password": PASSWORD}
    )
    assert login.status_code == 200, login.text
    courier = live_api.client(login.json()["access_token"])
    key = accounts.issue_api_key(container.uow_factory(SYSTEM), day.brand_id, clock=container.clock)
    return day, courier, live_api.client(key.token)


def _action(
    day: CourierDay, kind: str, n: int | None, minutes: int, **data: object
) -> dict[str, object]:
    return {
        "client_event_id": f"{kind}-{n}",
        "device_time": (T0 + timedelta(minutes=minutes)).isoformat(),
        "type": kind,
        "route_id": day.route_id,
        "stop_id": None if n is None else day.stop_ids[n],
        "position": {"lat": 51.5391, "lon": -0.1427, "accuracy_m": 9},
        "data": data,
    }


def test_the_brand_sees_the_proof_with_working_image_links_and_a_pdf(live_api: LiveApi) -> None:
    day, courier, brand = _ready(live_api)
    door, signature = photo(), photo((300, 120))
    for data in (door, signature):
        put = courier.put(
            f"/v1/blobs/{sha256(data)}", content=data, headers={"Content-Type": "image/jpeg"}
        )
        assert put.status_code == 201, put.text
    actions = [
        _action(day, "start_route", None, 0),
        _action(day, "arrive", 0, 10),
        _action(
            day,
            "complete",
            0,
            12,
            method="safe_place",
            safe_place="front porch",
            photos=[sha256(door)],
            scanned_barcodes=day.barcodes[0],
        ),
        _action(
            day,
            "complete",
            1,
            20,
            method="recipient",
            recipient_name="Ada",
            signature=sha256(signature),
            scanned_barcodes=day.barcodes[1],
        ),
    ]
    synced = courier.post("/v1/courier/actions", json={"actions": actions})
    assert synced.status_code == 200, synced.text
    assert [r["status"] for r in synced.json()["results"]] == ["applied"] * 4

    proof = brand.get(f"/v1/orders/{day.order_ids[0]}/proof")
    assert proof.status_code == 200, proof.text
    [attempt] = proof.json()["attempts"]
    assert attempt["outcome"] == "delivered" and attempt["method"] == "safe_place"
    assert attempt["safe_place"] == "front porch"
    assert attempt["device_time"].startswith((T0 + timedelta(minutes=12)).isoformat()[:16])
    assert attempt["distance_from_address_m"] is not None and not attempt["geofence_mismatch"]
    [image] = attempt["photos"]
    assert image["sha256"] == sha256(door) and image["original_url"] is None  # brands: no EXIF
    # No token: the signed link alone (its host is the configured public URL).
    shown = live_api.client().get(httpx.URL(image["url"]).raw_path.decode())
    assert shown.status_code == 200 and shown.headers["content-type"] == "image/jpeg"
    assert shown.content != door  # the display copy, re-encoded without metadata

    signed = brand.get(f"/v1/orders/{day.order_ids[1]}/proof").json()["attempts"][0]
    assert signed["recipient_name"] == "Ada" and signed["signature"]["sha256"] == sha256(signature)

    pdf = brand.get(f"/v1/orders/{day.order_ids[0]}/proof.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"

    verified = brand.get(f"/v1/orders/{day.order_ids[0]}/verify").json()
    assert verified["ok"] is True, verified

    _, other_key = live_api.create_brand("Peckham Plants")
    other = live_api.client(other_key)
    assert other.get(f"/v1/orders/{day.order_ids[0]}/proof").status_code == 404
    assert other.get(f"/v1/orders/{day.order_ids[0]}/proof.pdf").status_code == 404


def test_a_replaced_photo_is_reported_by_verify(live_api: LiveApi) -> None:
    day, courier, brand = _ready(live_api)
    door = photo()
    courier.put(f"/v1/blobs/{sha256(door)}", content=door, headers={"Content-Type": "image/jpeg"})
    actions = [
        _action(day, "start_route", None, 0),
        _action(
            day,
            "complete",
            0,
            12,
            method="letterbox",
            photos=[sha256(door)],
            scanned_barcodes=day.barcodes[0],
        ),
    ]
    courier.post("/v1/courier/actions", json={"actions": actions}).raise_for_status()
    from doorstep.services.ports import BlobVariant

    live_api.container.blobs.put(sha256(door), BlobVariant.ORIGINAL, b"tampered", "image/jpeg")
    verified = brand.get(f"/v1/orders/{day.order_ids[0]}/verify").json()
    assert verified["ok"] is False
    assert any("changed" in p for p in verified["problems"]), verified
