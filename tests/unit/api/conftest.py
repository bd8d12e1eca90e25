"""The API over the in-memory unit of work, through FastAPI's TestClient (no sockets)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from doorstep.api import create_app
from doorstep.domain.access import Principal
from doorstep.domain.model import Role
from doorstep.security import Argon2PasswordHasher
from doorstep.services import accounts
from doorstep.services.container import Container
from tests.unit.fakes import FakeClock, FakeDatabase, uow_factory

SYSTEM = Principal.system("test")
PASSWORD = "correct horse battery staple"


@pytest.fixture
def db() -> FakeDatabase:
    return FakeDatabase()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def container(db: FakeDatabase, clock: FakeClock) -> Container:
    return Container(
        uow_factory=uow_factory(db),
        clock=clock,
        passwords=Argon2PasswordHasher(time_cost=1, memory_cost=1024),
        secret_key="unit-test-secret",
        public_url="http://testserver",
    )


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(container), raise_server_exceptions=False) as made:
        yield made


def brand_key(container: Container, name: str = "Camden Coffee Co") -> tuple[str, str]:
    """A new brand and a key for it: ``(brand_id, headers-ready token)``."""
    brand = accounts.create_brand(container.uow_factory(SYSTEM), name)
    issued = accounts.issue_api_key(container.uow_factory(SYSTEM), brand.id, clock=container.clock)
    return brand.id, issued.token


def operator_token(client: TestClient, container: Container, role: Role = Role.ADMIN) -> str:
    email = f"{role.value}-{len(client.cookies)}-{id(container)}@example.com"
    accounts.create_user(
        container.uow_factory(SYSTEM),
        email=email,
        name=role.value,
        role=role,
        password=PASSWORD,
        hasher=container.passwords,
        courier_id=None,
    )
    answer = client.post("/v1/auth/token", json={"email": email, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["access_token"]
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def brand(container: Container) -> tuple[str, dict[str, str]]:
    brand_id, token = brand_key(container)
    return brand_id, bearer(token)


@pytest.fixture
def other_brand(container: Container) -> tuple[str, dict[str, str]]:
    brand_id, token = brand_key(container, "Peckham Plants")
    return brand_id, bearer(token)


@pytest.fixture
def admin(client: TestClient, container: Container) -> dict[str, str]:
    return bearer(operator_token(client, container))
