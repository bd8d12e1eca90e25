"""The ``doorstep`` command: one Typer app, one module per group of commands."""

from __future__ import annotations

import typer

from doorstep.cli import (
    accounts,
    db,
    demo,
    dispatch,
    fleet,
    geo,
    imports,
    plan,
    serve,
    verify,
    worker,
)
from doorstep.cli._common import TYPER_SETTINGS

app = typer.Typer(
    no_args_is_help=True,
    help="Doorstep: last-mile delivery, self-hosted.",
    pretty_exceptions_enable=False,
    **TYPER_SETTINGS,
)
app.add_typer(db.app, name="db")
app.add_typer(geo.app, name="geo")
app.add_typer(plan.app, name="plan")
app.command("serve")(serve.serve)
app.command("create-brand")(accounts.create_brand)
app.command("create-user")(accounts.create_user)
app.command("import-orders")(imports.import_orders)
app.command("create-hub")(fleet.create_hub)
app.command("import-fleet")(fleet.import_fleet)
app.command("demo")(demo.demo)
app.command("dispatch")(dispatch.dispatch)
app.command("worker")(worker.worker)
app.command("verify")(verify.verify)


@app.command()
def version() -> None:
    """Print the installed version."""
    from doorstep import __version__

    typer.echo(__version__)


def main() -> None:
    app()
