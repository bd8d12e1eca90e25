"""Brands, their API keys, and operator users: who may call Doorstep, and how we know them.

An API key is shown once, as ``dsk_<prefix>_<secret>``. Only a SHA-256 hash of the secret is
stored: the secret has 256 random bits, so a fast hash is enough (no need to stretch it as for
passwords), and looking it up by its public prefix keeps verification to one comparison.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, replace

from doorstep.domain import ids
from doorstep.domain.access import Principal
from doorstep.domain.errors import InvalidValue
from doorstep.domain.model import Brand, Role
from doorstep.services.access import (
    require_admin,
    require_hub_operator,
    require_id,
    require_reference,
)
from doorstep.services.audit import record as record_audit
from doorstep.services.audit import record_if
from doorstep.services.errors import AuthenticationFailed, NotFound
from doorstep.services.idempotency import BeforeCommit, commit_with
from doorstep.services.ports import (
    ApiKey,
    Clock,
    Conflict,
    PasswordHasher,
    UnitOfWork,
    UnitOfWorkFactory,
    User,
)

KEY_SCHEME = "dsk"
PREFIX_LENGTH = 8
MIN_PASSWORD_LENGTH = 10
_PREFIX_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
_AUTH = Principal.system("auth")
# Verified when the prefix is unknown, so a miss costs the same as a wrong secret.
_DUMMY_HASH = hashlib.sha256(b"no such key").hexdigest()


@dataclass(frozen=True, slots=True)
class IssuedKey:
    key: ApiKey
    token: str  # the whole ``dsk_...`` string; shown once, never stored


def _hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_brand(
    uow: UnitOfWork,
    name: str,
    *,
    before_commit: BeforeCommit[Brand] | None = None,
    clock: Clock | None = None,
) -> Brand:
    """A new brand; audited when ``clock`` is given (the API and the console give it)."""
    with uow:
        require_admin(uow.principal)
        if not name.strip():
            raise InvalidValue("name", "must not be empty")
        brand = Brand(id=ids.new_id("brd"), name=name.strip())
        uow.brands.add(brand)
        record_if(uow, clock, "brand.created", brand.id, name=brand.name)
        commit_with(uow, brand, before_commit)
    return brand


def list_brands(uow: UnitOfWork) -> list[Brand]:
    require_hub_operator(uow.principal)
    with uow.read_only():
        return uow.brands.list()


def issue_api_key(
    uow: UnitOfWork,
    brand_id: str,
    *,
    clock: Clock,
    name: str = "",
    before_commit: BeforeCommit[IssuedKey] | None = None,
) -> IssuedKey:
    """Make a new key for a brand and return it with its secret, which is never shown again."""
    require_admin(uow.principal)
    require_id(brand_id, "brd", "brand")
    with uow:
        if uow.brands.get(brand_id) is None:
            raise NotFound("brand", brand_id)
        prefix = "".join(secrets.choice(_PREFIX_ALPHABET) for _ in range(PREFIX_LENGTH))
        secret = secrets.token_urlsafe(32)
        key = ApiKey(
            id=ids.new_id("key"),
            brand_id=brand_id,
            prefix=prefix,
            secret_hash=_hash_secret(secret),
            created_at=clock.now(),
            name=name,
        )
        uow.api_keys.add(key)
        record_if(uow, clock, "api_key.issued", key.id, brand_id=brand_id, prefix=prefix)
        issued = IssuedKey(key=key, token=f"{KEY_SCHEME}_{prefix}_{secret}")
        commit_with(uow, issued, before_commit)
    return issued


def looks_like_api_key(token: str) -> bool:
    return token.startswith(f"{KEY_SCHEME}_")


def authenticate_api_key(uow_factory: UnitOfWorkFactory, token: str) -> Principal:
    """The brand principal for a key, or :class:`AuthenticationFailed` (same cost either way)."""
    scheme, _, rest = token.partition("_")
    prefix, _, secret = rest.partition("_")
    well_formed = scheme == KEY_SCHEME and len(prefix) == PREFIX_LENGTH and bool(secret)
    key: ApiKey | None = None
    if well_formed and all(c in _PREFIX_ALPHABET for c in prefix):
        with uow_factory(_AUTH).read_only() as uow:
            key = uow.api_keys.get_by_prefix(prefix)
    expected = key.secret_hash if key is not None else _DUMMY_HASH
    matches = hmac.compare_digest(expected, _hash_secret(secret))
    if key is None or not matches or key.revoked_at is not None:
        raise AuthenticationFailed()
    return Principal.brand(key.brand_id, key.id)


def create_user(
    uow: UnitOfWork,
    *,
    email: str,
    name: str,
    role: Role,
    password: str,
    hasher: PasswordHasher,
    courier_id: str | None = None,
    before_commit: BeforeCommit[User] | None = None,
    clock: Clock | None = None,
) -> User:
    """Add an operator user; e-mail addresses are unique regardless of case. Audited when
    ``clock`` is given (the API and the console give it)."""
    require_admin(uow.principal)
    normalised = email.strip().lower()
    if "@" not in normalised.strip("@"):
        raise InvalidValue("email", "is not an e-mail address")
    for field, text in (("email", normalised), ("name", name)):
        if any(ord(c) < 32 or ord(c) == 127 for c in text):  # PostgreSQL refuses NUL
            raise InvalidValue(field, "must not contain control characters")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidValue("password", f"needs at least {MIN_PASSWORD_LENGTH} characters")
    if role is Role.COURIER and courier_id is None:
        raise InvalidValue("courier_id", "a courier user needs the courier it logs in as")
    with uow:
        if uow.users.get_by_email(normalised) is not None:
            raise Conflict(f"A user with e-mail {normalised!r} already exists.")
        require_reference(courier_id, "cou", uow.couriers.get, "courier_id", "courier")
        user = User(
            id=ids.new_id("usr"),
            email=normalised,
            name=name.strip() or normalised,
            role=role,
            password_hash=hasher.hash(password),
            courier_id=courier_id,
        )
        uow.users.add(user)
        record_if(uow, clock, "user.created", user.id, email=user.email, role=role.value)
        commit_with(uow, user, before_commit)
    return user


def authenticate_user(
    uow_factory: UnitOfWorkFactory, email: str, password: str, hasher: PasswordHasher
) -> User:
    """The active user with this e-mail and password, or :class:`AuthenticationFailed`."""
    user = None
    if "\x00" not in email:  # no user has one, and PostgreSQL refuses it in a query
        with uow_factory(_AUTH).read_only() as uow:
            user = uow.users.get_by_email(email.strip().lower())
    if user is None:
        hasher.hash(password)  # spend the same time as a real check
        raise AuthenticationFailed()
    if not hasher.verify(user.password_hash, password) or not user.active:
        raise AuthenticationFailed()
    return user


def active_user(uow_factory: UnitOfWorkFactory, user_id: str) -> User:
    """The user a signed token names, if it still exists and is active."""
    with uow_factory(_AUTH).read_only() as uow:
        user = uow.users.get(user_id) if ids.has_prefix(user_id, "usr") else None
    if user is None or not user.active:
        raise AuthenticationFailed()
    return user


def principal_for(user: User) -> Principal:
    return Principal.user(user.id, user.role, courier_id=user.courier_id)


def deactivate_user(
    uow: UnitOfWork,
    user_id: str,
    *,
    clock: Clock,
    before_commit: BeforeCommit[User] | None = None,
) -> User:
    """Stop a user at once: no login, and its unexpired tokens are refused from the next
    request on (every request looks the user up). Audited; repeating it changes nothing."""
    require_admin(uow.principal)
    require_id(user_id, "usr", "user")
    with uow:
        user = uow.users.get(user_id)
        if user is None:
            raise NotFound("user", user_id)
        if user_id == uow.principal.actor:
            raise Conflict("An admin cannot deactivate their own account; ask another admin.")
        if user.active:
            uow.users.deactivate(user_id)
            record_audit(uow, clock.now(), "user.deactivated", user_id, email=user.email)
        done = replace(user, active=False)
        commit_with(uow, done, before_commit)
    return done


def revoke_api_key(
    uow: UnitOfWork,
    brand_id: str,
    key_id: str,
    *,
    clock: Clock,
    before_commit: BeforeCommit[ApiKey] | None = None,
) -> ApiKey:
    """Refuse a brand's key from the next request on. Audited; repeating it changes nothing."""
    require_admin(uow.principal)
    require_id(brand_id, "brd", "brand")
    require_id(key_id, "key", "API key")
    with uow:
        key = uow.api_keys.get(key_id)
        if key is None or key.brand_id != brand_id:
            raise NotFound("API key", key_id)
        if key.revoked_at is None:
            at = clock.now()
            uow.api_keys.revoke(key_id, at)
            record_audit(uow, at, "api_key.revoked", key_id, brand_id=brand_id, prefix=key.prefix)
            key = replace(key, revoked_at=at)
        commit_with(uow, key, before_commit)
    return key


def list_users(uow: UnitOfWork) -> list[User]:
    """Every operator user, active or not (admins only: the console's users page)."""
    require_admin(uow.principal)
    with uow.read_only():
        return uow.users.list()


def list_api_keys(uow: UnitOfWork, brand_id: str) -> list[ApiKey]:
    """A brand's keys, revoked ones included (prefix and dates only: secrets are not kept)."""
    require_admin(uow.principal)
    require_id(brand_id, "brd", "brand")
    with uow:
        if uow.brands.get(brand_id) is None:
            raise NotFound("brand", brand_id)
        return uow.api_keys.list_for_brand(brand_id)


def find_brand(uow: UnitOfWork, id_or_name: str) -> Brand:
    """A brand by its id, or by its name (ignoring case): people remember names, not ids.

    Two brands may share a name; then only the id says which, and the refusal lists them.
    """
    require_hub_operator(uow.principal)
    wanted = id_or_name.strip()
    with uow:
        by_id = uow.brands.get(wanted) if wanted.startswith("brd_") else None
        named = [b for b in uow.brands.list() if b.name.casefold() == wanted.casefold()]
    if by_id is not None:
        return by_id
    if len(named) == 1:
        return named[0]
    if named:
        ids_ = ", ".join(b.id for b in named)
        raise InvalidValue(
            "brand", f"{len(named)} brands are named {wanted!r}; give the id ({ids_})"
        )
    raise NotFound("brand", wanted)
