from __future__ import annotations

import pytest

from doorstep.domain.access import Principal, PrincipalKind
from doorstep.domain.errors import InvalidValue
from doorstep.domain.model import Brand, Role
from doorstep.security import Argon2PasswordHasher
from doorstep.services import accounts
from doorstep.services.errors import AuthenticationFailed, PermissionDenied
from doorstep.services.ports import Conflict
from tests.unit.fakes import FakeClock, FakeDatabase, uow_factory
from tests.unit.services.conftest import UowFor

HASHER = Argon2PasswordHasher(time_cost=1, memory_cost=1024)


def test_an_issued_key_authenticates_as_its_brand(
    uow_for: UowFor, admin: Principal, brand: Brand, clock: FakeClock, db: FakeDatabase
) -> None:
    issued = accounts.issue_api_key(uow_for(admin), brand.id, clock=clock, name="shop")

    principal = accounts.authenticate_api_key(uow_factory(db), issued.token)

    assert principal.kind is PrincipalKind.BRAND
    assert (principal.brand_id, principal.actor) == (brand.id, issued.key.id)
    scheme, prefix, secret = issued.token.split("_", 2)
    assert (scheme, len(prefix)) == ("dsk", 8)
    assert len(secret) >= 22  # 128 bits or more of base64
    stored = db.api_keys[prefix]
    assert secret not in stored.secret_hash and len(stored.secret_hash) == 64


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),
        lambda t: "dsk_zzzzzzzz_" + t.split("_", 2)[2],
        lambda t: t.replace("dsk_", "sk_"),
        lambda t: "dsk_",
        lambda t: "",
    ],
)
def test_a_wrong_or_malformed_key_is_refused(
    mangle: object,
    uow_for: UowFor,
    admin: Principal,
    brand: Brand,
    clock: FakeClock,
    db: FakeDatabase,
) -> None:
    issued = accounts.issue_api_key(uow_for(admin), brand.id, clock=clock)
    assert callable(mangle)
    with pytest.raises(AuthenticationFailed):
        accounts.authenticate_api_key(uow_factory(db), mangle(issued.token))


def test_only_admins_create_brands_and_issue_keys(
    uow_for: UowFor, dispatcher: Principal, as_brand: Principal, brand: Brand, clock: FakeClock
) -> None:
    for principal in (dispatcher, as_brand):
        with pytest.raises(PermissionDenied):
            accounts.create_brand(uow_for(principal), "Another")
        with pytest.raises(PermissionDenied):
            accounts.issue_api_key(uow_for(principal), brand.id, clock=clock)


def test_a_user_logs_in_with_the_password_it_was_given(uow_for: UowFor, db: FakeDatabase) -> None:
    user = accounts.create_user(
        uow_for(Principal.system("test")),
        email=" Grace@Example.com ",
        name="Grace",
        role=Role.DISPATCHER,
        password="correct horse battery",
        hasher=HASHER,
    )

    found = accounts.authenticate_user(
        uow_factory(db), "grace@example.com", "correct horse battery", HASHER
    )

    assert found.id == user.id and found.email == "grace@example.com"
    assert db.users[user.id].password_hash.startswith("$argon2id$")
    with pytest.raises(AuthenticationFailed):
        accounts.authenticate_user(uow_factory(db), "grace@example.com", "wrong horse", HASHER)
    with pytest.raises(AuthenticationFailed):
        accounts.authenticate_user(uow_factory(db), "nobody@example.com", "x" * 12, HASHER)


def test_user_rules_short_password_and_duplicate_email(uow_for: UowFor) -> None:
    system = Principal.system("test")
    with pytest.raises(InvalidValue, match="password"):
        accounts.create_user(
            uow_for(system),
            email="a@b.c",
            name="A",
            role=Role.ADMIN,
            password="short",
            hasher=HASHER,
        )
    accounts.create_user(
        uow_for(system),
        email="a@b.c",
        name="A",
        role=Role.ADMIN,
        password="long enough pw",
        hasher=HASHER,
    )
    with pytest.raises(Conflict):
        accounts.create_user(
            uow_for(system),
            email="A@B.C",
            name="A",
            role=Role.ADMIN,
            password="long enough pw",
            hasher=HASHER,
        )


@pytest.mark.parametrize(
    ("field", "email", "name"),
    [("email", "ops\x00@example.com", "Ops"), ("name", "ops@example.com", "O\x00ps")],
)
def test_a_user_with_a_control_character_is_refused_by_every_door(
    uow_for: UowFor, field: str, email: str, name: str
) -> None:
    """The CLI calls this use case directly: a NUL must not reach PostgreSQL from there."""
    with pytest.raises(InvalidValue) as refused:
        accounts.create_user(
            uow_for(Principal.system("test")),
            email=email,
            name=name,
            role=Role.ADMIN,
            password="long enough pw",
            hasher=HASHER,
        )
    assert refused.value.field == field
