"""What every command needs: settings read once, errors said plainly, the system principal."""

from __future__ import annotations

import gc
from typing import Any, Final, NoReturn

import typer
from pydantic import ValidationError
from sqlalchemy.exc import OperationalError

from doorstep.bootstrap import build_container
from doorstep.config import Settings
from doorstep.domain.access import Principal
from doorstep.jobs.tasks import PlanJobs
from doorstep.services.container import Container
from doorstep.store.migrate import SchemaOutdated

CLI = Principal.system("cli")

# Every Typer app of the command takes these. Typer's rich help renders a value type for
# every option, so flags (even --help) showed "<bool>" as if they took a value; its plain
# click-style help shows flags as flags. -h is the short form everyone tries first.
TYPER_SETTINGS: Final[dict[str, Any]] = {
    "rich_markup_mode": None,
    "context_settings": {"help_option_names": ["-h", "--help"]},
}


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


def open_container(settings: Settings | None = None, *, jobs: PlanJobs | None = None) -> Container:
    """The wired container, or one or two lines saying what to run instead of a traceback."""
    settings = settings or load_settings()
    if settings.database_url is None and not settings.data_dir.is_dir():
        fail(
            f"no data directory at {settings.data_dir.resolve()}: run `doorstep db upgrade` "
            "to create it, or set DOORSTEP_DATA_DIR to where your data is"
        )
    try:
        return build_container(settings, jobs=jobs)
    except SchemaOutdated as error:
        fail(str(error))
    except OperationalError as error:
        fail(f"cannot open the database: {error.orig}")


def settle_heap() -> None:
    """Call once a long-running process has built everything it needs, just before it
    serves: collect once, then freeze what is alive (imports, the app, its caches) so
    that later collections of the oldest generation no longer walk it.

    Why: with some 300,000 objects alive from start-up, each full collection paused the
    event loop for 150-180 ms every 15-20 s at 400 tracking pages a second, and those
    pauses were the page's whole p99 (``python -m benchmarks.tracking``). Test processes,
    which build and drop many apps, do not call this: frozen objects are never freed.
    """
    gc.collect()
    gc.freeze()
