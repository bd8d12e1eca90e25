"""What every command needs: settings read once, errors said plainly, the system principal."""

from __future__ import annotations

from typing import NoReturn

import typer
from pydantic import ValidationError

from doorstep.config import Settings
from doorstep.domain.access import Principal

CLI = Principal.system("cli")


def fail(message: str) -> NoReturn:
    """Stop with a one-line message on stderr and exit status 1 (no traceback)."""
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(1)


def load_settings(**overrides: object) -> Settings:
    """The settings from ``DOORSTEP_*`` variables (and ``.env``), or a clear refusal."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'settings'}: {e['msg']}"
            for e in error.errors()
        )
        fail(problems)
