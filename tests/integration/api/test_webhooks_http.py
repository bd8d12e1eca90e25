"""``/v1/webhook-endpoints`` over HTTP: the secret shown once, bad input refused with its
field, URLs inside the network refused outside test mode, secrets encrypted at rest."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine, select

from doorstep.domain.model import Role
from doorstep.store.tables import WebhookEndpointRow
from tests.factories import order_payload
from tests.integration.live_server import HANG_GUARD_S, LiveApi, serve
from tests.integration.webhooks.receiver import receiving

PROBLEM = "application/problem+json"
HOOK = {"url": "http://127.0.0.1:9/hooks", "event_types": ["order.created", "parcel.delivered"]}


def test_the_secret_is_shown_at_creation_only_and_a_repeat_gets_the_id_not_the_secret(
    live_api: LiveApi,
) -> None:
    _, key = live_api.create_brand()
    brand = live_api.client(key)
    made = brand.post("/v1/webhook-endpoints", json=HOOK, headers={"Idempotency-Key": "hook-1"})
    assert made.status_code == 201, made.text
    secret = made.json()["secret"]
    assert secret.startswith("whsec_") and len(secret) > 40
    endpoint_id = made.json()["id"]
    again = brand.post("/v1/webhook-endpoints", json=HOOK, headers={"Idempotency-Key": "hook-1"})
    assert again.status_code == 409 and endpoint_id in again.text and secret not in again.text
    for path in ("/v1/webhook-endpoints", f"/v1/webhook-endpoints/{endpoint_id}"):
        shown = brand.get(path)
        assert shown.status_code == 200 and secret not in shown.text and "whsec_" not in shown.text
    rotated = brand.post(f"/v1/webhook-endpoints/{endpoint_id}/rotate-secret")
    assert rotated.status_code == 200
    assert rotated.json()["secret"] not in {secret, None}
    assert rotated.json()["previous_secret_until"] is not None


def test_secrets_are_stored_encrypted(live_api: LiveApi, database_url: str) -> None:
    _, key = live_api.create_brand()
    secret = live_api.client(key).post("/v1/webhook-endpoints", json=HOOK).json()["secret"]
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            stored = connection.scalar(select(WebhookEndpointRow.secret))
    finally:
        engine.dispose()
    assert stored is not None and stored.startswith("enc1:") and secret not in stored


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (HOOK | {"event_types": ["order.created", "order.teleported"]}, "event_types[1]"),
        (HOOK | {"event_types": []}, "event_types"),
        (HOOK | {"event_types": ["route.started"]}, "event_types[0]"),
        (HOOK | {"url": "http://127.0.0.1:9/\x00hooks"}, "url"),
        (HOOK | {"url": "gopher://127.0.0.1/"}, "url"),
        (HOOK | {"description": "line\nbreak"}, "description"),
        (HOOK | {"brand_id": "brd_0000000000000000"}, None),  # ignored for a brand's key
    ],
)
def test_bad_input_is_refused_with_its_field(
    live_api: LiveApi, body: dict[str, object], field: str | None
) -> None:
    _, key = live_api.create_brand()
    answer = live_api.client(key).post("/v1/webhook-endpoints", json=body)
    if field is None:
        assert answer.status_code == 201, answer.text
        return
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == PROBLEM
    assert field in [error["field"] for error in answer.json()["errors"]]


def test_an_admin_names_the_brand_and_a_dispatcher_may_only_look(live_api: LiveApi) -> None:
    brand_id, _ = live_api.create_brand()
    admin = live_api.client(live_api.create_operator())
    missing = admin.post("/v1/webhook-endpoints", json=HOOK)
    assert missing.status_code == 422 and "brand_id" in missing.text
    made = admin.post("/v1/webhook-endpoints", json=HOOK | {"brand_id": brand_id})
    assert made.status_code == 201 and made.json()["brand_id"] == brand_id
    dispatcher = live_api.client(live_api.create_operator(Role.DISPATCHER))
    assert [e["id"] for e in dispatcher.get("/v1/webhook-endpoints").json()["items"]] == [
        made.json()["id"]
    ]
    refused = dispatcher.post("/v1/webhook-endpoints", json=HOOK | {"brand_id": brand_id})
    assert refused.status_code == 403


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example.com/in",
        "https://127.0.0.1/in",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::ffff:10.0.0.1]/in",
        "https://10.20.30.40/in",
        "https://localhost:8443/in",
    ],
)
def test_outside_test_mode_a_url_inside_the_network_is_refused(database_url: str, url: str) -> None:
    with serve(database_url, mode="production") as live:
        _, key = live.create_brand()
        answer = live.client(key).post("/v1/webhook-endpoints", json=HOOK | {"url": url})
    assert answer.status_code == 422, answer.text
    assert [error["field"] for error in answer.json()["errors"]] == ["url"]


def test_changing_an_endpoint_checks_the_new_values_too(live_api: LiveApi) -> None:
    _, key = live_api.create_brand()
    brand = live_api.client(key)
    endpoint_id = brand.post("/v1/webhook-endpoints", json=HOOK).json()["id"]
    bad = brand.patch(f"/v1/webhook-endpoints/{endpoint_id}", json={"event_types": ["nope"]})
    assert bad.status_code == 422
    off = brand.patch(f"/v1/webhook-endpoints/{endpoint_id}", json={"enabled": False})
    assert off.status_code == 200 and off.json()["enabled"] is False
    gone = brand.delete(f"/v1/webhook-endpoints/{endpoint_id}")
    assert gone.status_code == 200
    assert brand.get(f"/v1/webhook-endpoints/{endpoint_id}").status_code == 404
    assert brand.get("/v1/webhook-endpoints").json()["items"] == []


def test_an_order_made_over_http_reaches_the_brands_receiver_signed_through_the_jobs(
    live_api: LiveApi,
) -> None:
    """The wiring of bootstrap: commit -> relay job -> fan-out -> webhook_send_job -> POST."""
    _, key = live_api.create_brand()
    brand = live_api.client(key)
    with receiving([]) as receiver:
        made = brand.post("/v1/webhook-endpoints", json=HOOK | {"url": receiver.url})
        receiver.secrets = [made.json()["secret"]]
        order = brand.post("/v1/orders", json=order_payload()).json()
        deadline = time.monotonic() + HANG_GUARD_S
        while not receiver.taken and time.monotonic() < deadline:
            time.sleep(0.05)
    ((webhook_id, document),) = receiver.taken.items()
    assert document["type"] == "order.created" and document["data"]["order_id"] == order["id"]
    assert receiver.bad_signatures == 0 and webhook_id.startswith("msg_")
    # The sender records "delivered" after the receiver's answer: wait for that commit.
    listed = f"/v1/webhook-endpoints/{made.json()['id']}/deliveries"
    while True:
        deliveries = [(d["id"], d["status"]) for d in brand.get(listed).json()["items"]]
        if deliveries != [(webhook_id, "pending")] or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert deliveries == [(webhook_id, "delivered")]
