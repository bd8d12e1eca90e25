"""Deactivating a user and revoking an API key: admin only, audited, effective at once."""

from __future__ import annotations

from doorstep.domain.model import Role
from tests.factories import order_payload
from tests.integration.live_server import SYSTEM, LiveApi

PROBLEM = "application/problem+json"


def _user_id(live_api: LiveApi, token: str) -> str:
    """The id behind a token, read the way the server does."""
    from doorstep.api import tokens

    container = live_api.container
    found = tokens.verify(container.secret_key, token, container.clock.now())
    assert found is not None
    return found


def test_a_deactivated_user_is_refused_on_the_next_request(live_api: LiveApi) -> None:
    admin_token = live_api.create_operator(Role.ADMIN)
    admin = live_api.client(admin_token)
    dispatcher_token = live_api.create_operator(Role.DISPATCHER)
    dispatcher = live_api.client(dispatcher_token)
    assert dispatcher.get("/v1/hubs").status_code == 200
    target = _user_id(live_api, dispatcher_token)

    answer = admin.post(f"/v1/users/{target}/deactivate")

    assert answer.status_code == 200, answer.text
    assert answer.json()["active"] is False
    refused = dispatcher.get("/v1/hubs")
    assert refused.status_code == 401 and refused.headers["content-type"] == PROBLEM
    assert admin.post(f"/v1/users/{target}/deactivate").status_code == 200  # a repeat is fine
    with live_api.container.uow_factory(SYSTEM) as uow:
        entries = uow.audit.list_for(target)
    assert [(e.action, e.actor) for e in entries] == [
        ("user.deactivated", _user_id(live_api, admin_token))
    ]
    assert entries[0].at <= live_api.container.clock.now()


def test_a_revoked_key_is_refused_on_the_next_request(live_api: LiveApi) -> None:
    admin_token = live_api.create_operator(Role.ADMIN)
    admin = live_api.client(admin_token)
    brand_id, key = live_api.create_brand()
    brand = live_api.client(key)
    assert brand.post("/v1/orders", json=order_payload()).status_code == 201
    listed = admin.get(f"/v1/brands/{brand_id}/api-keys").json()["items"]
    key_id = listed[0]["id"]
    assert listed[0]["revoked_at"] is None and "api_key" not in listed[0]

    answer = admin.delete(f"/v1/brands/{brand_id}/api-keys/{key_id}")

    assert answer.status_code == 200, answer.text
    assert answer.json()["revoked_at"] is not None
    refused = brand.get("/v1/orders")
    assert refused.status_code == 401 and refused.headers["content-type"] == PROBLEM
    with live_api.container.uow_factory(SYSTEM) as uow:
        entries = uow.audit.list_for(key_id)
    assert [(e.action, e.actor, e.details["brand_id"]) for e in entries] == [
        ("api_key.issued", SYSTEM.actor, brand_id),  # the test's own set-up
        ("api_key.revoked", _user_id(live_api, admin_token), brand_id),
    ]


def test_only_admins_deactivate_and_revoke(live_api: LiveApi) -> None:
    admin_token = live_api.create_operator(Role.ADMIN)
    admin = live_api.client(admin_token)
    dispatcher = live_api.client(live_api.create_operator(Role.DISPATCHER))
    brand_id, key = live_api.create_brand()
    other_brand_id, _ = live_api.create_brand("Peckham Plants")
    key_id = admin.get(f"/v1/brands/{brand_id}/api-keys").json()["items"][0]["id"]
    admin_id = _user_id(live_api, admin_token)

    for client, method, path, status in [
        (dispatcher, "POST", f"/v1/users/{admin_id}/deactivate", 403),
        (dispatcher, "DELETE", f"/v1/brands/{brand_id}/api-keys/{key_id}", 403),
        (live_api.client(key), "DELETE", f"/v1/brands/{brand_id}/api-keys/{key_id}", 403),
        (live_api.client(key), "POST", f"/v1/users/{admin_id}/deactivate", 403),
        (admin, "POST", f"/v1/users/{admin_id}/deactivate", 409),  # not oneself
        (admin, "POST", "/v1/users/usr_0000000000000000/deactivate", 404),
        (admin, "DELETE", f"/v1/brands/{other_brand_id}/api-keys/{key_id}", 404),
        (admin, "DELETE", f"/v1/brands/{brand_id}/api-keys/key_0000000000000000", 404),
    ]:
        answer = client.request(method, path)
        assert answer.status_code == status, (method, path, answer.text)
        assert answer.headers["content-type"] == PROBLEM
    assert live_api.client(key).get("/v1/orders").status_code == 200
    assert admin.get("/v1/hubs").status_code == 200
    with live_api.container.uow_factory(SYSTEM) as uow:
        issued_only = [e.action for e in uow.audit.list_for(key_id)] == ["api_key.issued"]
        assert issued_only and uow.audit.list_for(admin_id) == []
