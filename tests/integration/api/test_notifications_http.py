"""Brands' notification settings and preview over HTTP, and the SMS provider's inbound
webhook (STOP / START) signed as Twilio signs it."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlencode

import pytest

from doorstep.domain.model import Role
from doorstep.domain.notifications import phone_key
from doorstep.services.notifications.inbound import twilio_signature
from tests.integration.live_server import SYSTEM, LiveApi, serve

AUTH_TOKEN = "inbound-test-token"
SERVER_SECRET = "integration-test-secret-key"  # live_server's secret_key
PROBLEM = "application/problem+json"


@pytest.fixture
def live(database_url: str) -> Iterator[LiveApi]:
    with serve(database_url, twilio_auth_token=AUTH_TOKEN) as api:
        yield api


def test_a_brand_changes_its_own_settings_and_reads_them_back(live: LiveApi) -> None:
    brand_id, key = live.create_brand()
    brand = live.client(key)
    defaults = brand.get(f"/v1/brands/{brand_id}/notification-settings")
    assert defaults.status_code == 200, defaults.text
    assert "order_confirmed" in defaults.json()["channels"]["email"]
    assert "order_confirmed" not in defaults.json()["channels"]["sms"]

    body = {
        "channels": {"sms": ["delivered"], "email": ["delivered", "attempt_failed"]},
        "sender_name": "Camden Coffee",
        "reply_to": "help@camden-coffee.example",
        "templates": {"sms": {"delivered": {"text": "Ta {{ first_name }}! {{ tracking_link }}"}}},
    }
    saved = brand.put(f"/v1/brands/{brand_id}/notification-settings", json=body)
    assert saved.status_code == 200, saved.text
    again = brand.get(f"/v1/brands/{brand_id}/notification-settings").json()
    assert again["channels"] == {"email": ["attempt_failed", "delivered"], "sms": ["delivered"]}
    assert again["sender_name"] == "Camden Coffee"
    assert again["templates"]["sms"]["delivered"]["text"].startswith("Ta {{ first_name }}")


def test_the_preview_renders_the_brands_wording_with_sample_data(live: LiveApi) -> None:
    brand_id, key = live.create_brand("Peckham Plants")
    brand = live.client(key)
    sms = brand.post(
        f"/v1/brands/{brand_id}/notification-preview", json={"kind": "delivered", "channel": "sms"}
    )
    assert sms.status_code == 200, sms.text
    shown = sms.json()
    assert shown["text"].startswith("Peckham Plants: your parcel has been delivered")
    assert "http://127.0.0.1/t/SAMPLE-TOKEN" in shown["text"]
    assert shown["sms"] == {"encoding": "GSM-7", "units": len(shown["text"]), "segments": 1}
    email = brand.post(
        f"/v1/brands/{brand_id}/notification-preview",
        json={"kind": "out_for_delivery", "channel": "email"},
    ).json()
    assert email["subject"] == "Your Peckham Plants parcel is out for delivery today"
    assert "between 10:40 and 11:40" in email["text"]
    assert email["html"].startswith("<!doctype html>")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {"templates": {"email": {"delivered": {"text": "{{ nope }}"}}}},
            "templates.email.delivered.text",
        ),
        (
            {"templates": {"sms": {"delivered": {"text": "{% for x in y %}{% endfor %}"}}}},
            "templates.sms.delivered.text",
        ),
        (
            {"templates": {"sms": {"delivered": {"subject": "Hi"}}}},
            "templates.sms.delivered.subject",
        ),
        ({"reply_to": "not-an-address"}, "reply_to"),
        ({"sender_name": "Camden\u0007Coffee"}, "sender_name"),
    ],
)
def test_careless_settings_are_refused_naming_the_field(
    live: LiveApi, body: dict[str, object], field: str
) -> None:
    brand_id, key = live.create_brand()
    answer = live.client(key).put(f"/v1/brands/{brand_id}/notification-settings", json=body)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == PROBLEM
    assert field in answer.text


def test_an_unknown_kind_or_channel_is_refused(live: LiveApi) -> None:
    brand_id, key = live.create_brand()
    answer = live.client(key).post(
        f"/v1/brands/{brand_id}/notification-preview", json={"kind": "birthday", "channel": "fax"}
    )
    assert answer.status_code == 422 and answer.headers["content-type"] == PROBLEM


def test_another_brand_and_a_dispatcher_cannot_read_a_brands_settings(live: LiveApi) -> None:
    brand_id, _ = live.create_brand()
    _, other_key = live.create_brand("Hackney Books")
    theirs = live.client(other_key).get(f"/v1/brands/{brand_id}/notification-settings")
    assert theirs.status_code == 404 and brand_id not in theirs.text
    dispatcher = live.client(live.create_operator(Role.DISPATCHER))
    assert dispatcher.get(f"/v1/brands/{brand_id}/notification-settings").status_code == 403
    admin = live.client(live.create_operator(Role.ADMIN))
    assert admin.get(f"/v1/brands/{brand_id}/notification-settings").status_code == 200


def _inbound(live: LiveApi, body: str, signature: str | None) -> int:
    params = [("From", "+447700900123"), ("To", "+447700900999"), ("Body", body)]
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if signature is not None:
        headers["X-Twilio-Signature"] = signature
    answer = live.client().post("/v1/sms/inbound", content=urlencode(params), headers=headers)
    return answer.status_code


def _signed(body: str) -> str:
    params = [("From", "+447700900123"), ("To", "+447700900999"), ("Body", body)]
    return twilio_signature(AUTH_TOKEN, "http://127.0.0.1/v1/sms/inbound", params)


def _opted_out(live: LiveApi) -> bool:
    with live.container.uow_factory(SYSTEM).read_only() as uow:
        return uow.sms_opt_outs.is_opted_out(phone_key(SERVER_SECRET, "+447700900123"))


def test_a_signed_stop_opts_the_number_out_and_start_back_in(live: LiveApi) -> None:
    assert _inbound(live, "STOP", _signed("STOP")) == 200
    assert _opted_out(live)
    assert _inbound(live, "start", _signed("start")) == 200
    assert not _opted_out(live)


def test_an_unsigned_or_forged_stop_is_refused_and_changes_nothing(live: LiveApi) -> None:
    assert _inbound(live, "STOP", None) == 401
    assert _inbound(live, "STOP", _signed("START")) == 401
    assert _inbound(live, "STOP", "bm90IGEgc2lnbmF0dXJl") == 401
    assert not _opted_out(live)
