"""``doorstep create-brand`` and ``doorstep create-user``: the first accounts of an install."""

from __future__ import annotations

import typer

from doorstep.cli._common import CLI, fail, open_container
from doorstep.domain.errors import DomainError
from doorstep.domain.model import Role
from doorstep.services import accounts
from doorstep.services.errors import ServiceError
from doorstep.services.ports import Conflict


def create_brand(name: str = typer.Argument(..., help="The brand's display name.")) -> None:
    """Create a brand and print its first API key (shown once, stored only as a hash)."""
    try:
        container = open_container()
        brand = accounts.create_brand(container.uow_factory(CLI), name)
        issued = accounts.issue_api_key(
            container.uow_factory(CLI), brand.id, clock=container.clock, name="first key"
        )
    except (DomainError, ServiceError, Conflict) as error:
        fail(str(error))
    typer.echo(f"brand:   {brand.id}  {brand.name}")
    typer.echo(f"API key: {issued.token}")
    typer.echo("Keep the key now: Doorstep stores only its hash and cannot show it again.")


def create_user(
    email: str = typer.Argument(..., help="Login e-mail address."),
    role: Role = typer.Option(Role.DISPATCHER, help="admin, dispatcher or courier."),
    name: str = typer.Option("", help="Display name (defaults to the e-mail)."),
    password: str = typer.Option(
        ...,
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        envvar="DOORSTEP_NEW_USER_PASSWORD",
        help="Asked for when not given; or set DOORSTEP_NEW_USER_PASSWORD.",
    ),
    courier_id: str | None = typer.Option(None, help="For role courier: the courier it is."),
) -> None:
    """Create an operator user who logs in with e-mail and password."""
    try:
        container = open_container()
        user = accounts.create_user(
            container.uow_factory(CLI),
            email=email,
            name=name,
            role=role,
            password=password,
            hasher=container.passwords,
            courier_id=courier_id,
        )
    except (DomainError, ServiceError, Conflict) as error:
        fail(str(error))
    typer.echo(f"user: {user.id}  {user.email}  ({user.role.value})")
