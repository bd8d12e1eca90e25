"""``doorstep geo build-network``: a routable network from any OSM extract."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from doorstep.cli._common import TYPER_SETTINGS, fail

app = typer.Typer(no_args_is_help=True, help="Road networks and travel times.", **TYPER_SETTINGS)


@app.command("build-network")
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
        fail(str(error))
    for profile, counts in metadata["counts"].items():
        typer.echo(f"{profile}: {counts['nodes']} nodes, {counts['edges']} edges")
    typer.echo(f"wrote {out.with_suffix('.npz')} (network {metadata['network_id']})")
    typer.echo(f"Data {metadata['attribution']}")
