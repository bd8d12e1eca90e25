"""``doorstep create-hub`` and ``doorstep import-fleet``: an install can plan without the API."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, text

from tests.integration.cli.test_commands import run

FLEET = Path(__file__).parents[3] / "docs" / "examples" / "fleet.csv"


def _hub(tmp_path: Path) -> str:
    assert run(tmp_path, "db", "upgrade").returncode == 0
    created = run(
        tmp_path, "create-hub", "Camden Hub", "--lat", "51.5486", "--lon", "-0.1389",
        "--address", "Regis Road, London NW5 3EW", "--opens", "06:30",
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    hub_id = created.stdout.split()[1]
    assert hub_id.startswith("hub_")
    return hub_id


def _vehicles(tmp_path: Path) -> list[tuple[str, str, int, str]]:
    engine = create_engine(f"sqlite:///{tmp_path / 'doorstep.sqlite3'}")
    with engine.connect() as connection:
        query = "SELECT v.name, v.vehicle_type, v.capacity_parcels, h.public_id FROM vehicles v"
        rows = connection.execute(text(query + " JOIN hubs h ON h.pk = v.hub_pk")).all()
    engine.dispose()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def test_import_fleet_creates_each_row_as_a_vehicle_at_the_hub(tmp_path: Path) -> None:
    hub_id = _hub(tmp_path)
    result = run(tmp_path, "import-fleet", str(FLEET), "--hub", hub_id)
    assert result.returncode == 0, result.stderr
    rows = FLEET.read_text().splitlines()[1:]
    vehicles = _vehicles(tmp_path)
    assert len(vehicles) == len(rows) == result.stdout.count("vehicle: veh_")
    assert ("VAN-1", "van", 120, hub_id) in vehicles


def test_import_fleet_with_a_bad_row_names_it_and_creates_nothing(tmp_path: Path) -> None:
    hub_id = _hub(tmp_path)
    lines = FLEET.read_text().splitlines()
    (tmp_path / "fleet.csv").write_text(
        "\n".join([*lines, lines[1].replace("VAN-1,van", "X,hovercraft")])
    )
    result = run(tmp_path, "import-fleet", "fleet.csv", "--hub", hub_id)
    assert result.returncode == 1
    assert f"row {len(lines) + 1}, column vehicle_type" in result.stderr
    assert _vehicles(tmp_path) == []


def test_import_fleet_refuses_an_unknown_hub_and_create_hub_a_bad_place(tmp_path: Path) -> None:
    _hub(tmp_path)
    unknown = run(tmp_path, "import-fleet", str(FLEET), "--hub", "hub_0000000000000000")
    assert unknown.returncode == 1 and "hub" in unknown.stderr
    assert _vehicles(tmp_path) == []
    far = run(tmp_path, "create-hub", "Nowhere", "--lat", "91", "--lon", "0")
    assert far.returncode == 1 and "lat" in far.stderr and "Traceback" not in far.stderr
