"""The ``doorstep`` command."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True, help="Doorstep: last-mile delivery, self-hosted.")


@app.command()
def version() -> None:
    """Print the installed version."""
    from doorstep import __version__

    typer.echo(__version__)


def main() -> None:
    app()
