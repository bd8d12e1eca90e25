"""``doorstep import-orders FILE.csv --brand BRAND``: the CSV import without the HTTP hop.

Exit status: 0 when every row became an order; 1 when nothing was imported (every row
rejected, an atomic import rolled back, or the file unreadable); 2 when some rows were
imported and others rejected. Scripts can tell "done", "failed" and "look at the report".
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from doorstep.cli._common import CLI, fail, open_container
from doorstep.domain.errors import DomainError
from doorstep.services import accounts
from doorstep.services.errors import ServiceError
from doorstep.services.orders.imports import import_orders_csv
from doorstep.services.ports import Conflict

CHUNK = 64 * 1024


def import_orders(
    csv_file: Annotated[
        Path, typer.Argument(metavar="FILE.csv", help="Order CSV (see docs/orders-csv.md).")
    ],
    brand: Annotated[
        str, typer.Option("--brand", help="The brand the orders are for: its id or its name.")
    ],
    atomic: Annotated[bool, typer.Option(help="All rows or none (up to 10,000 rows).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Import orders from a CSV file; prints a report naming row, column and reason.

    Exits 0 when every row was imported, 1 when none was, 2 when only some were.
    """
    if not csv_file.is_file():
        fail(f"{csv_file}: no such file")
    container = open_container()
    try:
        brand_id = accounts.find_brand(container.uow_factory(CLI), brand).id
        with csv_file.open("rb") as stream:
            report = import_orders_csv(
                container.uow_factory,
                CLI,
                iter(lambda: stream.read(CHUNK), b""),
                clock=container.clock,
                postcodes=container.postcodes,
                brand_id=brand_id,
                atomic=atomic,
            )
    except (DomainError, ServiceError, Conflict) as error:
        fail(str(error))
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=2))
    else:
        typer.echo(f"{report.created} orders created; {report.rejected} rows rejected.")
        for row_error in report.errors:
            where = f"row {row_error.row}" + (
                f", column {row_error.column}" if row_error.column else ""
            )
            typer.echo(f"  {where}: {row_error.reason}")
        if report.errors_not_listed:
            typer.echo(f"  ... and {report.errors_not_listed} more")
        for warning in report.warnings:
            typer.echo(f"  note: {warning.reason}")
    if not report.ok:
        raise typer.Exit(2 if report.created and report.complete else 1)
