"""The Today and Orders pages over real HTTP (SQLite and PostgreSQL): admin and
dispatcher get them; a courier, a brand key and nobody get nothing; bad input gets a page
that says so, never a 500; every action needs the CSRF value and is audited."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest

from doorstep.domain.model import Role
from tests.courier_day import SYSTEM
from tests.integration.live_server import LiveApi
from tests.integration.web.console_client import Visitor, visitor
from tests.tracking_day import T0, TrackingDay, tracking_day
from tests.unit.fakes import FakeClock

DAY = T0.date().isoformat()


@pytest.fixture
def day(live_api: LiveApi) -> Iterator[TrackingDay]:
    made = tracking_day(live_api.container.uow_factory, stops=3, clock=FakeClock(T0))
    made.start()
    made.clock.current = T0 + timedelta(minutes=20)
    made.deliver(0)
    made.fail(1)
    yield made


@pytest.mark.parametrize("role", [Role.ADMIN, Role.DISPATCHER])
def test_operators_see_today_and_orders(live_api: LiveApi, day: TrackingDay, role: Role) -> None:
    client = visitor(live_api, role)
    today = client.get("/console/today", params={"day": DAY})
    assert today.status_code == 200
    assert day.day.route_id in today.text and 'id="today-data"' in today.text
    assert "<script>" not in today.text  # no inline script: CSP forbids it
    row = client.get(
        f"/console/today/routes/{day.day.route_id}/row", params={"day": DAY, "index": 2}
    )
    assert row.status_code == 200 and f'id="route-{day.day.route_id}"' in row.text
    assert ">1</td>" in row.text  # one done, one failed, one left
    stops = client.get(f"/console/today/routes/{day.day.route_id}/map", params={"day": DAY})
    assert [s["id"] for s in stops.json()["stops"]] == day.day.stop_ids
    stop = client.get(f"/console/today/stops/{day.day.stop_ids[0]}")
    assert stop.status_code == 200 and day.day.barcodes[0][0] in stop.text
    orders = client.get("/console/orders", params={"q": day.day.barcodes[1][0], "in": "barcode"})
    assert orders.status_code == 200 and day.day.order_ids[1] in orders.text
    order = client.get(f"/console/orders/{day.day.order_ids[0]}")
    assert order.status_code == 200
    assert "/v1/blobs/" in order.text and "4721#" not in order.text  # photo; never the code


@pytest.mark.parametrize(
    "path",
    ["/console/today", "/console/orders", "/console/orders/ord_aaaaaaaaaaaaaaaa"],
)
def test_nobody_courier_and_brand_get_nothing(
    live_api: LiveApi, day: TrackingDay, path: str
) -> None:
    nobody = live_api.client().get(path, follow_redirects=False)
    assert nobody.status_code == 303 and "/console/login" in nobody.headers["location"]
    _, key = live_api.create_brand()
    brand = live_api.client(key).get(path, follow_redirects=False)
    assert brand.status_code == 303  # a key is no console session
    courier = visitor(live_api, Role.COURIER, courier_id=day.day.courier_id)
    assert courier.get(path).status_code == 303  # login was refused
    for fragment in (f"/console/today/stops/{day.day.stop_ids[0]}",):
        answer = live_api.client().get(fragment, headers={"HX-Request": "true"})
        assert answer.status_code == 401


def test_bad_input_gets_a_clear_page(live_api: LiveApi, day: TrackingDay) -> None:
    client = visitor(live_api, Role.DISPATCHER)
    assert "not a date" in client.get("/console/today", params={"day": "2026-13-45"}).text
    for bad in ("a\x01b", "x" * 150):
        answer = client.get("/console/orders", params={"q": bad})
        assert answer.status_code == 422 and "flash--error" in answer.text
    assert client.get("/console/orders", params={"in": "phone"}).status_code == 422
    assert client.get("/console/orders", params={"cursor": "nonsense"}).status_code == 422
    assert client.get("/console/orders/ord_nothere").status_code == 404
    assert client.get("/console/today/stops/stp_aaaaaaaaaaaaaaaa").status_code == 404
    assert client.get("/console/today/stops/<script>").status_code == 404
    assert client.get("/console/today/routes/rte_x/row", params={"index": -1}).status_code == 422


@pytest.mark.parametrize("field", ["reference", "barcode", "postcode", "name"])
def test_search_by_each_field_over_http(live_api: LiveApi, day: TrackingDay, field: str) -> None:
    client = visitor(live_api, Role.DISPATCHER)
    order = client.get(f"/console/orders/{day.day.order_ids[2]}")
    assert order.status_code == 200
    with live_api.container.uow_factory(SYSTEM) as uow:
        stored = uow.orders.get(day.day.order_ids[2])
    assert stored is not None
    text = {
        "reference": stored.reference.swapcase(),
        "barcode": stored.parcels[0].barcode,
        "postcode": "nw1 7",
        "name": stored.recipient.name[:4].lower(),
    }[field]
    found = client.get("/console/orders", params={"q": text, "in": field})
    assert found.status_code == 200 and stored.id in found.text


def _post(client: Visitor, path: str, data: dict[str, str]) -> httpx.Response:
    return client.post(path, data, csrf="")  # the form's own csrf field, or none


def test_actions_need_csrf_and_are_audited(live_api: LiveApi, day: TrackingDay) -> None:
    client = visitor(live_api, Role.DISPATCHER)
    failed_order = day.day.order_ids[1]
    client.get(f"/console/orders/{failed_order}")
    csrf = client.csrf
    with live_api.container.uow_factory(SYSTEM) as uow:
        stored = uow.orders.get(failed_order)
    assert stored is not None
    parcel_id = stored.parcels[0].id
    path = f"/console/orders/{failed_order}/return"
    form = {"parcel_id": parcel_id, "reason": "refused at the door"}
    assert _post(client, path, form).status_code == 403
    assert _post(client, path, form | {"csrf": "wrong"}).status_code == 403
    assert _post(client, path, {"parcel_id": parcel_id, "csrf": csrf}).status_code == 422
    done = _post(client, path, form | {"csrf": csrf})
    assert done.status_code == 303 and done.headers["location"].endswith("?done=return")
    after = client.get(done.headers["location"])
    assert "parcel.return_started" in after.text and "on its way back" in after.text
    again = _post(client, path, form | {"csrf": csrf})
    assert again.status_code == 422  # no longer a failed parcel
    window = f"/console/orders/{day.day.order_ids[2]}/window"
    bad = _post(client, window, {"csrf": csrf, "day": "2026-11-27", "start": "25:00", "end": "x"})
    assert bad.status_code == 422
    good = {"csrf": csrf, "day": "2026-11-27", "start": "10:00", "end": "12:00"}
    assert _post(client, window, good).status_code == 303
    cancel = _post(client, f"/console/orders/{day.day.order_ids[2]}/cancel", {"csrf": csrf})
    assert cancel.status_code == 409  # its parcel is out for delivery
    missing = _post(client, "/console/orders/ord_aaaaaaaaaaaaaaaa/cancel", {"csrf": csrf})
    assert missing.status_code == 404
    malformed = client.request(
        "POST", window, content=b"\x00\xff", headers={"Content-Type": "application/json"}
    )
    assert malformed.status_code == 415
