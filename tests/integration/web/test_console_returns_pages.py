"""The hub station, returns and delivery-policy pages over real HTTP: nobody is sent to log
in, a courier is refused, a dispatcher without the CSRF value is refused, bad scans and bad
forms get a clear answer (never a 500), and a scan posted twice with one id counts once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from doorstep.domain.model import Role
from tests import factories
from tests.courier_day import SYSTEM
from tests.integration.live_server import LiveApi
from tests.integration.web.console_client import visitor


@pytest.fixture
def desk(live_api: LiveApi) -> Iterator[tuple[LiveApi, str, str]]:
    brand, hub = factories.brand(), factories.hub()
    order = factories.order(brand_id=brand.id)
    with live_api.container.uow_factory(SYSTEM) as uow:
        uow.brands.add(brand)
        uow.hubs.add(hub)
        uow.orders.add(order)
        uow.commit()
    yield live_api, hub.id, order.parcels[0].barcode


def test_nobody_is_sent_to_log_in_and_a_courier_is_refused(
    desk: tuple[LiveApi, str, str],
) -> None:
    live, _, _ = desk
    nobody = live.client()
    for path in ("/console/hub", "/console/returns", "/console/settings/delivery-policy"):
        answer = nobody.get(path, follow_redirects=False)
        assert answer.status_code == 303 and "/console/login" in answer.headers["location"]
    assert nobody.post("/console/hub/scans", json={}).status_code in (401, 403)
    admin = live.client(live.create_operator(Role.ADMIN))
    made = admin.post("/v1/couriers", json={"name": "Kit", "phone": "+447700900123"})
    courier = visitor(live, Role.COURIER, made.json()["id"])
    for path in ("/console/hub", "/console/returns", "/console/settings/delivery-policy"):
        assert courier.get(path, follow_redirects=False).status_code in (303, 403)


def test_a_scan_needs_the_csrf_value_and_counts_once_per_id(
    desk: tuple[LiveApi, str, str],
) -> None:
    live, hub_id, barcode = desk
    client = visitor(live, Role.DISPATCHER)
    csrf = client.csrf
    scan = {"hub_id": hub_id, "kind": "receive", "barcode": barcode, "client_event_id": "stn-1"}
    assert client.request("POST", "/console/hub/scans", json=scan).status_code == 403
    wrong = {"X-CSRF-Token": "nope"}
    assert client.request("POST", "/console/hub/scans", json=scan, headers=wrong).status_code == 403
    headers = {"X-CSRF-Token": csrf}
    first = client.request("POST", "/console/hub/scans", json=scan, headers=headers)
    again = client.request("POST", "/console/hub/scans", json=scan, headers=headers)
    assert first.status_code == again.status_code == 200, first.text
    assert (first.json()["refused"], again.json()["replayed"]) == (False, True)
    assert first.json()["scan_id"] == again.json()["scan_id"]
    for bad in (
        scan | {"kind": "explode"},
        scan | {"barcode": "AB\u0000C"},
        scan | {"barcode": "x" * 65},
        scan | {"client_event_id": "stn-1", "barcode": "OTHER"},  # an id reused: refused
        scan | {"hub_id": "hub_nope", "client_event_id": "stn-2"},
    ):
        answer = client.request("POST", "/console/hub/scans", json=bad, headers=headers)
        assert answer.status_code == 422, answer.text
        assert answer.json()["refused"] is True
    raw = client.request("POST", "/console/hub/scans", content=b"{not json", headers=headers)
    assert raw.status_code == 422


def test_the_policy_form_and_handover_refuse_bad_input_with_a_page(
    desk: tuple[LiveApi, str, str],
) -> None:
    live, _, barcode = desk
    client = visitor(live, Role.DISPATCHER)
    csrf = client.csrf
    brand_id = (
        live.client(live.create_operator(Role.ADMIN)).get("/v1/brands").json()["items"][0]["id"]
    )
    form = {
        "csrf": csrf,
        "brand_id": brand_id,
        "attempts_allowed": "9",
        "reattempt": "next_working_day",
        "hold_at_hub_days": "3",
        "after_last_attempt": "return_to_sender",
    }
    refused = client.request("POST", "/console/settings/delivery-policy", data=form)
    assert refused.status_code == 422 and "attempts_allowed" in refused.text
    assert (
        client.request(
            "POST", "/console/settings/delivery-policy", data=form | {"csrf": ""}
        ).status_code
        == 403
    )
    saved = client.request(
        "POST", "/console/settings/delivery-policy", data=form | {"attempts_allowed": "2"}
    )
    assert saved.status_code == 200 and "Delivery policy saved." in saved.text
    handover = client.request(
        "POST",
        "/console/returns/handover",
        data={"csrf": csrf, "brand_id": brand_id, "date": "2026-11-25", "barcodes": barcode},
    )
    assert handover.status_code == 200 and "not returning" in handover.text
    assert client.get("/console/returns", params={"date": "yesterday"}).status_code == 422
