"""The ``doorstep`` command."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(no_args_is_help=True, help="Doorstep: last-mile delivery, self-hosted.")
geo_app = typer.Typer(no_args_is_help=True, help="Road networks and travel times.")
app.add_typer(geo_app, name="geo")


@app.command()
def version() -> None:
    """Print the installed version."""
    from doorstep import __version__

    typer.echo(__version__)


@geo_app.command("build-network")
def build_network(
    osm_file: Annotated[Path, typer.Argument(help="OpenStreetMap extract, .osm.pbf or .osm")],
    out: Annotated[Path, typer.Option("--out", help="Network file to write (.npz + .json)")],
) -> None:
    """Build a routable van / e-cargo bike / on-foot network from an OSM extract."""
    from doorstep.geo.network_build import NetworkBuildError
    from doorstep.geo.network_build import build_network as build

    try:
        metadata = build(osm_file, out)
    except NetworkBuildError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(code=1) from error
    for profile, counts in metadata["counts"].items():
        typer.echo(f"{profile}: {counts['nodes']} nodes, {counts['edges']} edges")
    typer.echo(f"wrote {out.with_suffix('.npz')} (network {metadata['network_id']})")
    typer.echo(f"Data {metadata['attribution']}")


def main() -> None:
    app()
