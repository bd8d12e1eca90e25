"""``doorstep import-orders FILE.csv --brand ID``: the CSV import without the HTTP hop."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from doorstep.bootstrap import build_container
from doorstep.cli._common import CLI, fail, load_settings
from doorstep.domain.errors import DomainError
from doorstep.services.errors import ServiceError
from doorstep.services.order_import import import_orders_csv
from doorstep.services.ports import Conflict
from doorstep.store.migrate import SchemaOutdated

CHUNK = 64 * 1024


def import_orders(
    csv_file: Annotated[Path, typer.Argument(help="Order CSV (see docs/orders-csv.md).")],
    brand: Annotated[str, typer.Option("--brand", help="The brand the orders are for.")],
    atomic: Annotated[bool, typer.Option(help="All rows or none (up to 10,000 rows).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Import orders from a CSV file; prints a report naming row, column and reason."""
    if not csv_file.is_file():
        fail(f"{csv_file}: no such file")
    try:
        container = build_container(load_settings())
        with csv_file.open("rb") as stream:
            report = import_orders_csv(
                container.uow_factory,
                CLI,
                iter(lambda: stream.read(CHUNK), b""),
                clock=container.clock,
                postcodes=container.postcodes,
                brand_id=brand,
                atomic=atomic,
            )
    except (DomainError, ServiceError, Conflict, SchemaOutdated) as error:
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
    if not report.complete or (atomic and report.rejected):
        raise typer.Exit(1)
