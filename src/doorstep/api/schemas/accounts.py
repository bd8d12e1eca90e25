"""Brands, API keys, operator users and login."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, StringConstraints

from doorstep.api.schemas.common import Public, Strict, Text, Token
from doorstep.api.schemas.orders import Email
from doorstep.domain.model import Role
from doorstep.domain.text import check_no_control

Password = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class BrandCreate(Strict):
    name: Text


class BrandPublic(Public):
    id: str
    name: str


class ApiKeyCreate(Strict):
    name: Annotated[str, StringConstraints(max_length=100), AfterValidator(check_no_control)] = ""


class ApiKeyPublic(Public):
    """A key as listed: its public prefix and dates; the secret is never kept."""

    id: str
    brand_id: str
    prefix: str
    name: str
    created_at: datetime
    revoked_at: datetime | None


class ApiKeyIssued(Public):
    """Shown once: ``api_key`` cannot be read again, only replaced."""

    id: str
    brand_id: str
    prefix: str
    name: str
    created_at: datetime
    api_key: str


class Login(Strict):
    email: Annotated[
        str, StringConstraints(min_length=1, max_length=254), AfterValidator(check_no_control)
    ]
    password: Password


class TokenPublic(Public):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_in: int


class UserCreate(Strict):
    email: Email
    name: Text
    role: Role
    password: Password
    courier_id: Token | None = None


class UserPublic(Public):
    id: str
    email: str
    name: str
    role: Role
    courier_id: str | None
    active: bool


class BrandAppearanceIn(Strict):
    colour: Annotated[str, StringConstraints(max_length=7)] | None = None


class BrandAppearance(Public):
    """How the brand's recipients' tracking page looks."""

    id: str
    name: str
    colour: str | None  # "#rrggbb"; None: the default blue
    logo_url: str | None  # on this server; None: the brand's name in text
