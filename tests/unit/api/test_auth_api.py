from __future__ import annotations

from fastapi.testclient import TestClient

from doorstep.domain.model import Role
from doorstep.services.container import Container
from tests.unit.api.conftest import PASSWORD, SYSTEM, bearer, operator_token
from tests.unit.fakes import FakeClock


def test_login_accepts_json_and_form_and_refuses_a_wrong_password(
    client: TestClient, container: Container
) -> None:
    from doorstep.services import accounts

    accounts.create_user(
        container.uow_factory(SYSTEM),
        email="ops@example.com",
        name="Ops",
        role=Role.ADMIN,
        password=PASSWORD,
        hasher=container.passwords,
    )
    as_json = client.post("/v1/auth/token", json={"email": "ops@example.com", "password": PASSWORD})
    as_form = client.post(
        "/v1/auth/token", data={"username": "ops@example.com", "password": PASSWORD}
    )
    wrong = client.post("/v1/auth/token", json={"email": "ops@example.com", "password": "nope"})
    broken = client.post(
        "/v1/auth/token", content=b"{", headers={"content-type": "application/json"}
    )

    assert as_json.status_code == as_form.status_code == 200
    assert as_json.json()["token_type"] == "bearer"
    assert wrong.status_code == 401 and wrong.headers["www-authenticate"] == "Bearer"
    assert broken.status_code == 422


def test_a_token_expires_and_a_tampered_one_is_refused(
    client: TestClient, container: Container, clock: FakeClock
) -> None:
    token = operator_token(client, container)
    assert client.get("/v1/hubs", headers=bearer(token)).status_code == 200

    payload, signature = token.split(".")
    tampered = payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB") + "." + signature
    assert client.get("/v1/hubs", headers=bearer(tampered)).status_code == 401
    clock.advance(hours=13)
    assert client.get("/v1/hubs", headers=bearer(token)).status_code == 401


def test_couriers_may_not_manage_the_fleet_and_dispatchers_may_not_add_brands(
    client: TestClient, container: Container
) -> None:
    from doorstep.services import accounts, fleet
    from doorstep.services.fleet import CreateCourier

    courier = fleet.create_courier(container.uow_factory(SYSTEM), CreateCourier(name="Cat"))
    accounts.create_user(
        container.uow_factory(SYSTEM),
        email="cat@example.com",
        name="Cat",
        role=Role.COURIER,
        password=PASSWORD,
        hasher=container.passwords,
        courier_id=courier.id,
    )
    login = client.post("/v1/auth/token", json={"email": "cat@example.com", "password": PASSWORD})
    as_courier = bearer(login.json()["access_token"])
    assert client.get("/v1/vehicles", headers=as_courier).status_code == 403

    dispatcher = bearer(operator_token(client, container, Role.DISPATCHER))
    assert client.get("/v1/brands", headers=dispatcher).status_code == 200
    assert client.post("/v1/brands", json={"name": "X"}, headers=dispatcher).status_code == 403


def test_an_admin_issues_a_key_that_works_once_shown(
    client: TestClient, admin: dict[str, str]
) -> None:
    brand = client.post("/v1/brands", json={"name": "Brixton Books"}, headers=admin).json()
    issued = client.post(f"/v1/brands/{brand['id']}/api-keys", json={"name": "shop"}, headers=admin)

    assert issued.status_code == 201
    key = issued.json()["api_key"]
    assert key.startswith(f"dsk_{issued.json()['prefix']}_")
    assert client.get("/v1/orders", headers=bearer(key)).status_code == 200
    assert client.post("/v1/brands/brd_0000000000000000/api-keys", headers=admin).status_code == 404
