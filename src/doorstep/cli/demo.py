"""``doorstep demo``: a fresh Doorstep with a London morning in it, served on localhost.

The demo builds its standing data (admin, hub, fleet, brands) through the use cases, then
sends every order and scan over HTTP, exactly as brands and hub scanners would. In between
it plans the day and dispatches each route to a courier with a login (demo_routes.py), so
the hub loads the vans by those routes and a courier can start one in the courier app.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

import typer
import uvicorn

from doorstep.api import create_app
from doorstep.bootstrap import build_container, build_jobs
from doorstep.cli._common import CLI, load_settings
from doorstep.cli.db import ensure_data_dir
from doorstep.cli.demo_routes import DemoRoutes, plan_and_dispatch
from doorstep.domain.model import Capacity, GeoPoint, Role, VehicleType
from doorstep.jobs.consumer import start_in_process
from doorstep.services import accounts, fleet
from doorstep.services.container import Container
from doorstep.services.tracking.links import route_tracking_links
from doorstep.sim.client import DoorstepClient
from doorstep.sim.courier_drive import Driver, Shift, catch_up, drivers, keep_driving
from doorstep.sim.courier_drive import close as close_drivers
from doorstep.sim.demo_clock import DemoClock, evening_before
from doorstep.sim.demo_seed import DemoSummary, seed_demo_day
from doorstep.sim.scenario import DEMO_BRANDS, DEMO_PIN_DIGITS
from doorstep.store import migrate

LONDON = ZoneInfo("Europe/London")
logger = logging.getLogger(__name__)
ADMIN_EMAIL = "admin@doorstep.local"
DISPATCHER_EMAIL = "dispatcher@doorstep.local"
DRIVEN_SHARE = 0.35  # of each driven route served before the console opens: a day under way
DRIVE_EVERY_S = 5.0  # then each driven courier moves on one step this often
HUB = fleet.CreateHub(
    name="Camden Hub",
    point=GeoPoint(51.5486, -0.1389),
    address="Regis Road, London NW5 3EW",
    opens=clock_time(6, 0),
    closes=clock_time(22, 0),
)
FLEET = (
    ("Van 1", VehicleType.VAN, Capacity(parcels=180, weight_kg=900, volume_litres=8000)),
    ("Van 2", VehicleType.VAN, Capacity(parcels=180, weight_kg=900, volume_litres=8000)),
    ("Van 3", VehicleType.VAN, Capacity(parcels=180, weight_kg=900, volume_litres=8000)),
    ("Cargo bike 1", VehicleType.E_CARGO_BIKE, Capacity(60, 150, 700)),
    ("Cargo bike 2", VehicleType.E_CARGO_BIKE, Capacity(60, 150, 700)),
)


@dataclass(frozen=True, slots=True)
class StandingData:
    admin_password: str
    hub_id: str
    vehicle_ids: tuple[str, ...]
    brand_keys: dict[str, str]  # brand id -> API key, in DEMO_BRANDS order
    courier_password: str  # every demo courier's, printed with the first courier's e-mail
    dispatcher_password: str = ""


@dataclass(frozen=True, slots=True)
class DemoDay:
    summary: DemoSummary
    routes: DemoRoutes


def create_standing_data(container: Container) -> StandingData:
    """Admin, hub, fleet and the three demo brands with their API keys."""
    uow = container.uow_factory
    password = secrets.token_urlsafe(12)
    accounts.create_user(
        uow(CLI),
        email=ADMIN_EMAIL,
        name="Demo Admin",
        role=Role.ADMIN,
        password=password,
        hasher=container.passwords,
    )
    dispatcher_password = secrets.token_urlsafe(12)
    accounts.create_user(
        uow(CLI),
        email=DISPATCHER_EMAIL,
        name="Demo Dispatcher",
        role=Role.DISPATCHER,
        password=dispatcher_password,
        hasher=container.passwords,
    )
    hub = fleet.create_hub(uow(CLI), HUB)
    vehicles = tuple(
        fleet.create_vehicle(uow(CLI), fleet.CreateVehicle(name, kind, capacity, hub.id)).id
        for name, kind, capacity in FLEET
    )
    keys: dict[str, str] = {}
    for profile in DEMO_BRANDS:
        brand = accounts.create_brand(uow(CLI), profile.name)
        keys[brand.id] = accounts.issue_api_key(uow(CLI), brand.id, clock=container.clock).token
    courier_password = secrets.token_urlsafe(12)
    return StandingData(password, hub.id, vehicles, keys, courier_password, dispatcher_password)


def start_server(app: object, host: str, port: int) -> uvicorn.Server:
    """Run uvicorn in a background thread and wait until it accepts connections."""
    config = uvicorn.Config(
        app,  # type: ignore[arg-type]
        host=host,
        port=port,
        log_level="warning",
        server_header=False,  # as `doorstep serve`: no "server: uvicorn" for probers
    )
    server = uvicorn.Server(config)
    threading.Thread(target=server.run, name="doorstep-server", daemon=True).start()
    deadline = time.monotonic() + 60  # a loaded machine can take a while to bind
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the server did not start within 15 s")
        time.sleep(0.05)
    return server


def seed(
    base_url: str,
    standing: StandingData,
    container: Container,
    clock: DemoClock,
    orders: int,
    seed: int,
) -> DemoDay:
    """The demo day (today in London): orders sent over HTTP as the brands (dated the
    evening before), the day planned and dispatched, then the hub's morning of scans over
    HTTP by those routes."""
    now = clock.now()
    day = now.astimezone(LONDON).date()
    dispatched: list[DemoRoutes] = []

    def plan_day() -> dict[str, str]:
        made = plan_and_dispatch(
            container, standing.hub_id, standing.vehicle_ids, day, standing.courier_password
        )
        dispatched.append(made)
        return made.vehicle_of_parcel

    brand_clients = {bid: DoorstepClient(base_url, key) for bid, key in standing.brand_keys.items()}
    admin = DoorstepClient.login(base_url, ADMIN_EMAIL, standing.admin_password)
    try:
        summary = seed_demo_day(
            brand_clients,
            admin,
            standing.hub_id,
            standing.vehicle_ids,
            day,
            seed,
            orders,
            now=now,
            hub=(HUB.point.lat, HUB.point.lon),
            plan_day=plan_day,
            ordering=lambda: clock.turned_back_to(evening_before(now)),
        )
    finally:
        admin.close()
        for client in brand_clients.values():
            client.close()
    return DemoDay(summary, dispatched[0])


def drive_the_day(
    base_url: str, standing: StandingData, demo_day: DemoDay, seed: int, stop: threading.Event
) -> None:
    """Every route but the first (left for whoever opens the courier app) driven by a
    simulated courier over HTTP: a share of each at once, then a step every few seconds,
    so the console shows a day in progress (positions, deliveries, a few failed attempts).
    Runs beside the server: the welcome does not wait for it, the console fills live."""
    shifts = [Shift(c.email, c.route_id) for c in demo_day.routes.couriers[1:]]
    hub = (HUB.point.lat, HUB.point.lon)
    on_road: list[Driver] = []
    try:
        on_road = drivers(base_url, shifts, standing.courier_password, hub, seed=seed)
        catch_up(on_road, DRIVEN_SHARE, stop)
        keep_driving(on_road, stop, DRIVE_EVERY_S)
    except Exception:  # the demo goes on serving without its simulated couriers
        logger.warning("the demo's simulated couriers stopped", exc_info=True)
    finally:
        close_drivers(on_road)


def print_welcome(
    base_url: str, standing: StandingData, demo_day: DemoDay, links: Sequence[str] = ()
) -> None:
    summary, planned = demo_day.summary, demo_day.routes
    login = f'{{"email": "{ADMIN_EMAIL}", "password": "{standing.admin_password}"}}'
    first_key = next(iter(standing.brand_keys.values()))
    lines = [
        "",
        typer.style("Doorstep demo is running", bold=True),
        f"  console       {base_url}/console",
        f"  dispatcher    {DISPATCHER_EMAIL} / {standing.dispatcher_password}",
        f"  API docs      {base_url}/docs",
        f"  OpenAPI       {base_url}/v1/openapi.json",
        f"  admin login   {ADMIN_EMAIL} / {standing.admin_password}",
        f"    curl -X POST {base_url}/v1/auth/token -H 'Content-Type: application/json' \\",
        f"         -d '{login}'",
    ]
    for (brand_id, key), profile in zip(standing.brand_keys.items(), DEMO_BRANDS, strict=True):
        lines.append(f"  {profile.name:<24} {brand_id}  API key {key}")
    lines += [
        f"    curl -H 'Authorization: Bearer {first_key}' '{base_url}/v1/orders?limit=5'",
        f"  hub           {standing.hub_id} ({HUB.name})",
        f"  exceptions    {base_url}/v1/hubs/{standing.hub_id}/exceptions (admin token)",
        f"  seeded        {summary.orders} orders, {summary.parcels} parcels; hub scans: "
        f"{summary.scans_accepted} accepted, {summary.scans_refused} refused, "
        f"{summary.scans_unknown} unknown barcode",
        f"  today's plan  {planned.plan_id}: {len(planned.couriers)} routes dispatched, "
        f"{summary.parcels_on_routes} parcels loaded, {planned.unassigned} stops left at the hub "
        f"(planned and dispatched in {planned.seconds:.1f} s)",
        f"    GET {base_url}/v1/plans/{planned.plan_id} and "
        f"{base_url}/v1/routes?date={planned.day.isoformat()} (admin token); "
        f"plan another day: POST {base_url}/v1/plans",
    ]
    if planned.couriers:
        first = planned.couriers[0]
        lines += [
            f"  courier app   {base_url}/courier",
            f"  courier login {first.email} / {standing.courier_password}"
            f"  ({first.stops} stops on {first.route_id})",
        ]
        if len(planned.couriers) > 1:
            last = planned.couriers[-1].email
            lines.append(
                f"    the other couriers up to {last} share that password; their routes are "
                "being driven by simulated couriers (watch them on the console)"
            )
        lines.append(
            f"    a stop asking for a PIN: the last {DEMO_PIN_DIGITS} digits of the order's "
            "reference (demo orders only)"
        )
    if links:
        lines.append("  tracking      what the first recipients of the first route see (no login):")
        lines += [f"    {link}" for link in links]
    lines.append("Press Ctrl+C to stop.")
    typer.echo("\n".join(lines))


def demo(
    port: int = typer.Option(8000, help="Port for the demo server on 127.0.0.1."),
    orders: int = typer.Option(400, help="How many orders the three brands send."),
    seed_value: int = typer.Option(2026, "--seed", help="Random seed of the demo day."),
    data_dir: Path = typer.Option(Path("var/demo"), help="Where the demo database lives."),
    serve: bool = typer.Option(True, help="Keep serving after seeding (--no-serve to exit)."),
    drive: bool = typer.Option(
        True, help="Simulated couriers drive the routes (--no-drive: every route waits)."
    ),
) -> None:
    """Start Doorstep on SQLite with a London morning of orders and hub scans."""
    base_url = f"http://127.0.0.1:{port}"
    settings = load_settings(mode="demo", data_dir=data_dir, database_url=None, public_url=base_url)
    ensure_data_dir(settings)
    for pattern in ("doorstep.sqlite3*", "jobs.sqlite3*"):
        for stale in settings.data_dir.glob(pattern):
            stale.unlink()  # every demo starts from an empty database and queue
    migrate.upgrade(settings.effective_database_url)
    jobs = build_jobs(settings)
    clock = DemoClock()
    container = build_container(settings, jobs=jobs, clock=clock)
    consumer = start_in_process(jobs.queue)  # plans requested over the API run here
    typer.echo(f"Database: {settings.effective_database_url}")
    standing = create_standing_data(container)
    server = start_server(create_app(container, tile_url=settings.tile_url), "127.0.0.1", port)
    started = time.monotonic()
    demo_day = seed(base_url, standing, container, clock, orders, seed_value)
    typer.echo(f"Seeded and dispatched the day in {time.monotonic() - started:.1f} s")
    stop_driving = threading.Event()
    if drive:
        threading.Thread(
            target=drive_the_day,
            args=(base_url, standing, demo_day, seed_value, stop_driving),
            name="doorstep-demo-couriers",
            daemon=True,
        ).start()
    first_route = demo_day.routes.couriers[0].route_id if demo_day.routes.couriers else ""
    links = route_tracking_links(container.uow_factory, first_route, base_url)
    print_welcome(base_url, standing, demo_day, links)
    try:
        while serve and server.started and not server.should_exit:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        stop_driving.set()
        server.should_exit = True
        consumer.stop(graceful=True)
        container.close()
