"""``doorstep db upgrade`` and ``doorstep db status``."""

from __future__ import annotations

import typer

from doorstep.cli._common import TYPER_SETTINGS, load_settings
from doorstep.config import Settings
from doorstep.store import migrate

app = typer.Typer(no_args_is_help=True, help="Database schema.", **TYPER_SETTINGS)


def ensure_data_dir(settings: Settings) -> None:
    """SQLite needs its folder to exist before the first connection."""
    if settings.database_url is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)


@app.command()
def upgrade() -> None:
    """Bring the database schema to this version of Doorstep (safe to run again)."""
    settings = load_settings()
    ensure_data_dir(settings)
    url = settings.effective_database_url
    before = migrate.current_revision(url)
    migrate.upgrade(url)
    after = migrate.current_revision(url)
    if before == after:
        typer.echo(f"Schema already current ({after}).")
    else:
        typer.echo(f"Schema upgraded from {before or 'empty'} to {after}.")


@app.command()
def status() -> None:
    """Say which schema revision the database is at and which the code expects."""
    settings = load_settings()
    ensure_data_dir(settings)
    current = migrate.current_revision(settings.effective_database_url)
    head = migrate.head_revision()
    state = "current" if current == head else "outdated: run `doorstep db upgrade`"
    typer.echo(f"database at {current or 'empty'}, code expects {head} ({state})")
