"""``doorstep plan ORDERS.csv --fleet FLEET.csv --hub LAT,LON --date ...``: a day's routes.

Reads the two files, checks everything a person could have mistyped (naming file, row
and column), then solves on the chosen network with London traffic by time of day and
writes the plan as JSON, GeoJSON or CSV, or several of them from the one solve (a second
solve with a wall-clock budget would be a different plan). ``doorstep plan export
PLAN.json --format csv`` converts a saved plan without solving. Bad input exits 1 with
the reasons, never a traceback. See docs/planning.md.
"""

from __future__ import annotations

import csv
import json
import os
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from doorstep.cli._common import TYPER_SETTINGS, fail, load_settings
from doorstep.domain.model import GeoPoint

if TYPE_CHECKING:
    from doorstep.planning.document import PlanDocument

CHUNK = 64 * 1024
MAX_LISTED = 20


class Format(StrEnum):
    JSON = "json"
    GEOJSON = "geojson"
    CSV = "csv"


class _DayByDefault(TyperGroup):
    """``doorstep plan ORDERS.csv ...`` means ``doorstep plan day ORDERS.csv ...``: the
    command planned days before it had an ``export`` beside it, and still does."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["day", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(
    cls=_DayByDefault,
    no_args_is_help=True,
    help="Plan a day's routes from files (the default), or convert a saved plan.",
    **TYPER_SETTINGS,
)


@app.command("day")
def plan(
    orders: Annotated[Path, typer.Argument(help="Order CSV (docs/orders-csv.md).")],
    fleet: Annotated[Path, typer.Option("--fleet", help="Fleet CSV (docs/planning.md).")],
    hub: Annotated[str, typer.Option("--hub", help="Hub position as LAT,LON.")],
    day: Annotated[str, typer.Option("--date", help="Plan date, YYYY-MM-DD.")],
    out: Annotated[Path, typer.Option("--out", help="File to write the plan to.")],
    depart: Annotated[str, typer.Option("--depart", help="Departure, HH:MM London.")] = "08:00",
    budget: Annotated[float, typer.Option("--budget", help="Seconds to search.")] = 30.0,
    network: Annotated[
        str,
        typer.Option("--network", help="'straight_line', a packaged network or a .npz path."),
    ] = "straight_line",
    fmt: Annotated[Format, typer.Option("--format", help="Format of --out.")] = Format.JSON,
    also_geojson: Annotated[
        Path | None, typer.Option("--geojson", help="Also write the same plan as GeoJSON here.")
    ] = None,
    also_csv: Annotated[
        Path | None, typer.Option("--csv", help="Also write the same plan as CSV here.")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed of the search.")] = 1,
    workers: Annotated[int, typer.Option("--workers", help="Search processes.")] = 2,
    iterations: Annotated[
        int | None,
        typer.Option("--iterations", help="Stop each search after N iterations (repeatable)."),
    ] = None,
) -> None:
    """Plan a day's routes from an order file and a fleet file (the default command)."""
    from doorstep.bootstrap import postcode_lookup
    from doorstep.domain.errors import InvalidValue
    from doorstep.planning.export import plan_document
    from doorstep.planning.params import PlannerParams
    from doorstep.services.plans.from_files import PlanInputError, build_plan_input
    from doorstep.services.plans.run import solve_input, traffic_leg_factor

    plan_date, departure, hub_point = _when_and_where(day, depart, hub)
    try:
        params = PlannerParams(
            time_budget_s=budget, seed=seed, workers=workers, max_iterations=iterations
        )
    except InvalidValue as error:
        flag = {"time_budget_s": "budget", "max_iterations": "iterations"}.get(error.field)
        fail(f"--{flag or error.field}: {error.reason}")
    accepted = _read_orders(orders)
    fleet_rows = _read_fleet(fleet, plan_date)
    routing = _routing(network)
    try:
        plan_input = build_plan_input(
            accepted, fleet_rows, hub=hub_point, plan_date=plan_date,
            departure=departure, postcodes=postcode_lookup(),
        )  # fmt: skip
        for warning in plan_input.warnings:
            typer.secho(f"warning: {warning}", fg=typer.colors.YELLOW, err=True)
        problem = plan_input.problem
        _refuse_what_will_not_fit(problem, params.part_stops)
        leg_factor = traffic_leg_factor(routing.traffic, departure, problem.profiles())
        label = f"planning {len(problem.stops)} stops on {len(problem.vehicles)} vehicles"
        with _Ticker(label, budget) as ticker:
            result, _ = solve_input(
                plan_input, routing.provider, params, leg_factor=leg_factor, on_phase=ticker.phase
            )
    except PlanInputError as error:
        _fail_listing([str(p) for p in error.problems])
    document = plan_document(result, problem, plan_input.built.manifest)
    _summary(document, plan_input.stop_rows)
    outputs = [(out, fmt), (also_geojson, Format.GEOJSON), (also_csv, Format.CSV)]
    for path, kind in outputs:
        if path is not None:
            _write(path, kind, document)
            typer.echo(f"wrote {path} ({kind.value})")


@app.command("export")
def export(
    saved: Annotated[Path, typer.Argument(help="A plan written by doorstep plan (JSON).")],
    fmt: Annotated[Format, typer.Option("--format", help="Format to write.")],
    out: Annotated[Path, typer.Option("--out", help="File to write.")],
) -> None:
    """Convert a saved JSON plan to GeoJSON or CSV, without solving again."""
    from pydantic import ValidationError

    from doorstep.planning.document import PlanDocument

    if not saved.is_file():
        fail(f"{saved}: no such file")
    try:
        document = PlanDocument.model_validate_json(saved.read_bytes())
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "the document"
        fail(f"{saved}: not a plan written by doorstep plan ({where}: {first['msg']})")
    _write(out, fmt, document)
    typer.echo(f"wrote {out} ({fmt.value})")


def _refuse_what_will_not_fit(problem: Any, part_stops: int) -> None:
    """Stop before the matrices are built if they cannot fit in this machine's memory."""
    from doorstep.planning.memory import MemoryEstimate

    estimate = MemoryEstimate.of(problem, part_stops)
    refusal = estimate.refusal(_available_memory())
    if refusal is not None:
        fail(refusal)


def _available_memory() -> int:
    """MemAvailable from /proc/meminfo (Linux), else all physical memory."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def _when_and_where(day: str, depart: str, hub: str) -> tuple[date, datetime, GeoPoint]:
    from doorstep.domain.errors import InvalidValue
    from doorstep.services.sheets.values import parse_moment

    try:
        plan_date = date.fromisoformat(day)
    except ValueError:
        fail(f"--date: {day!r} is not a date (YYYY-MM-DD, like 2026-11-26)")
    try:
        departure = parse_moment(f"{plan_date.isoformat()} {depart}")
    except ValueError as error:
        fail(f"--depart: {depart!r} is not a time of day (HH:MM, like 08:00): {error}")
    parts = hub.split(",")
    try:
        return plan_date, departure, GeoPoint(float(parts[0]), float(parts[1]))
    except (ValueError, IndexError, InvalidValue):  # not numbers, one number, off the globe
        fail(f"--hub: {hub!r} is not LAT,LON (like 51.5353,-0.1426)")


def _chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as stream:
        yield from iter(lambda: stream.read(CHUNK), b"")


def _read_orders(path: Path) -> list[Any]:
    from doorstep.services.sheets.order_csv import AcceptedRow, FileError, RejectedRow

    if not path.is_file():
        fail(f"{path}: no such file")
    accepted: list[AcceptedRow] = []
    errors: list[str] = []
    for result in _parse_orders(path):
        if isinstance(result, AcceptedRow):
            accepted.append(result)
        elif isinstance(result, RejectedRow | FileError):
            errors += [_row_error("orders", e.row, e.column, e.reason) for e in result.errors]
    if errors:
        _fail_listing(errors)
    return accepted


def _parse_orders(path: Path) -> Iterator[Any]:
    from doorstep.services.sheets.order_csv import parse_orders

    yield from parse_orders(_chunks(path))


def _read_fleet(path: Path, plan_date: date) -> list[Any]:
    from doorstep.services.sheets.fleet_csv import parse_fleet

    if not path.is_file():
        fail(f"{path}: no such file")
    parsed = parse_fleet(_chunks(path), plan_date)
    if parsed.errors:
        _fail_listing([_row_error("fleet", e.row, e.column, e.reason) for e in parsed.errors])
    return list(parsed.rows)


def _row_error(where: str, row: int, column: str | None, reason: str) -> str:
    return f"{where} row {row}" + (f", column {column}" if column else "") + f": {reason}"


def _fail_listing(problems: list[str]) -> None:
    for problem in problems[:MAX_LISTED]:
        typer.secho(f"  {problem}", err=True)
    more = f" (first {MAX_LISTED} listed)" if len(problems) > MAX_LISTED else ""
    fail(f"{len(problems)} problem(s) in the input{more}; nothing was planned")


def _routing(network: str) -> Any:
    """The travel-time provider and traffic, chosen where the API's are (bootstrap)."""
    from doorstep.bootstrap import build_routing
    from doorstep.geo.road_network import UnknownNetwork

    # Planning from files opens no database and signs nothing, so the secret key that the
    # server's commands insist on is not asked for: a fresh checkout can plan at once.
    try:
        return build_routing(load_settings(mode="test"))(network)
    except UnknownNetwork as error:
        fail(f"--network: {error}, or 'straight_line' for straight-line distances")


class _Ticker:
    """Prints ``label: searching 12 s (14/30 s)`` on stderr every half second while the
    block runs: the phase, how long it has run, and the whole call against the budget."""

    def __init__(self, label: str, budget: float) -> None:
        self.label, self.budget = label, budget
        self.current = ("starting", time.monotonic())
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def phase(self, name: str) -> None:
        self.current = (name, time.monotonic())

    def _run(self) -> None:
        start = time.monotonic()
        while not self.done.wait(0.5):
            name, since = self.current
            now = time.monotonic()
            sys.stderr.write(
                f"\r{self.label}: {name} {now - since:.0f} s "
                f"({now - start:.0f}/{self.budget:g} s)    "
            )
            sys.stderr.flush()
        sys.stderr.write(f"\r{self.label}: done in {time.monotonic() - start:.1f} s    \n")

    def __enter__(self) -> _Ticker:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.done.set()
        self.thread.join()


def _write(out: Path, fmt: Format, document: PlanDocument) -> None:
    from doorstep.planning.export import CSV_COLUMNS, csv_rows, geojson

    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt is Format.CSV:
        with out.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
            writer.writeheader()
            writer.writerows(csv_rows(document))
        return
    data = geojson(document) if fmt is Format.GEOJSON else document.to_json()
    out.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def _summary(document: PlanDocument, stop_rows: Callable[[str], list[int]]) -> None:
    totals = document.totals
    typer.echo(
        f"{totals.routes} routes, {totals.stops} stops, {totals.parcels} parcels, "
        f"{totals.distance_m / 1000:.1f} km, {totals.duration_s / 3600:.1f} h, "
        f"{totals.co2_kg:.1f} kg CO2"
    )
    reasons = Counter(item.reason for item in document.unassigned)
    for reason, count in sorted(reasons.items()):
        rows = sorted(
            row
            for item in document.unassigned
            if item.reason == reason
            for row in stop_rows(item.stop_id)
        )
        shown = ", ".join(map(str, rows[:10])) + (" ..." if len(rows) > 10 else "")
        typer.echo(f"unassigned: {count} stop(s) {reason} (order rows {shown})")
