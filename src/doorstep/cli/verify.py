"""``doorstep verify ORDER_ID``: are an order's records as they were written?

Exit status: 0 when every parcel's history and proof file checks out (notes such as
photos purged after retention are printed but are not failures); 1 with each problem
listed when not, or when the order does not exist.
"""

from __future__ import annotations

from typing import Annotated

import typer

from doorstep.cli._common import CLI, fail, open_container
from doorstep.domain.errors import DomainError
from doorstep.services.errors import ServiceError
from doorstep.services.verify import verify_order


def verify(
    order_id: Annotated[str, typer.Argument(metavar="ORDER_ID", help="The order, ord_...")],
) -> None:
    """Check an order's parcel histories (hash chain) and proof files; exit 1 on a problem."""
    container = open_container()
    try:
        result = verify_order(
            container.uow_factory(CLI),
            order_id,
            container.proof_file_hash,
            container.proof_purged,
        )
    except (DomainError, ServiceError) as error:
        fail(str(error))
    finally:
        container.close()
    for note in result.notes:
        typer.echo(f"note: {note}")
    if result.ok:
        typer.echo(f"{order_id}: ok, its records are as they were written.")
        return
    typer.echo(f"{order_id}: {len(result.problems)} problem(s) found:")
    for problem in result.problems:
        typer.echo(f"  {problem}")
    raise typer.Exit(1)
