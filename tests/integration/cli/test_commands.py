"""The ``doorstep`` command as a user runs it: a real process, a real SQLite file."""

from __future__ import annotations

import csv
import io
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

SECRET = "cli-test-secret-0123456789abcdef"


def run(data_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DOORSTEP_")},
        "DOORSTEP_DATA_DIR": str(data_dir),
        "DOORSTEP_SECRET_KEY": SECRET,
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "doorstep", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=240,
        cwd=data_dir,
        check=False,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_db_upgrade_creates_the_schema_and_says_so_twice_safely(tmp_path: Path) -> None:
    first = run(tmp_path, "db", "upgrade")
    assert first.returncode == 0, first.stderr
    assert "upgraded from empty" in first.stdout
    again = run(tmp_path, "db", "upgrade")
    assert "already current" in again.stdout
    status = run(tmp_path, "db", "status")
    assert "(current)" in status.stdout


def test_serve_refuses_an_outdated_schema_and_names_the_fix(tmp_path: Path) -> None:
    create_engine(f"sqlite:///{tmp_path / 'doorstep.sqlite3'}").connect().close()
    result = run(tmp_path, "serve", "--port", str(free_port()))
    assert result.returncode == 1
    assert "doorstep db upgrade" in result.stderr


def test_production_mode_refuses_the_demo_secret(tmp_path: Path) -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DOORSTEP_")}
    result = subprocess.run(
        [sys.executable, "-m", "doorstep", "db", "status"],
        capture_output=True,
        text=True,
        env=environment | {"DOORSTEP_DATA_DIR": str(tmp_path)},
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "DOORSTEP_SECRET_KEY" in result.stderr


def test_create_brand_prints_a_key_once_and_stores_only_its_hash(tmp_path: Path) -> None:
    assert run(tmp_path, "db", "upgrade").returncode == 0
    result = run(tmp_path, "create-brand", "Primrose Pantry")
    assert result.returncode == 0, result.stderr
    key = next(w for w in result.stdout.split() if w.startswith("dsk_"))
    engine = create_engine(f"sqlite:///{tmp_path / 'doorstep.sqlite3'}")
    with engine.connect() as connection:
        dump = "\n".join(
            str(row) for row in connection.execute(text("SELECT * FROM api_keys")).all()
        )
    assert key.rsplit("_", 1)[1] not in dump


def test_create_user_takes_the_password_from_the_environment_and_refuses_a_duplicate(
    tmp_path: Path,
) -> None:
    assert run(tmp_path, "db", "upgrade").returncode == 0
    password = {"DOORSTEP_NEW_USER_PASSWORD": "a long enough password"}
    created = run(tmp_path, "create-user", "Ops@Example.com", "--role", "admin", **password)
    assert created.returncode == 0, created.stderr
    assert "ops@example.com" in created.stdout
    duplicate = run(tmp_path, "create-user", "ops@example.com", **password)
    assert duplicate.returncode == 1
    assert "already exists" in duplicate.stderr


@pytest.mark.slow
def test_demo_seeds_a_london_morning_over_http_and_exits_with_no_serve(tmp_path: Path) -> None:
    result = run(
        tmp_path, "demo", "--port", str(free_port()), "--orders", "15", "--no-serve",
        "--data-dir", str(tmp_path / "demo"),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "seeded        15 orders" in result.stdout
    assert "1 unknown barcode" in result.stdout
    assert "admin@doorstep.local" in result.stdout


def test_import_orders_creates_the_valid_rows_and_names_each_bad_one(tmp_path: Path) -> None:
    assert run(tmp_path, "db", "upgrade").returncode == 0
    brand_id = run(tmp_path, "create-brand", "Belsize Books").stdout.split()[1]
    example = (Path(__file__).parents[3] / "docs" / "examples" / "orders.csv").read_text()
    rows = list(csv.DictReader(io.StringIO(example)))
    bad = rows[0] | {"reference": "BROKEN-1", "postcode": "NOT A POSTCODE"}
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows([*rows, bad])
    (tmp_path / "orders.csv").write_text(out.getvalue())

    result = run(tmp_path, "import-orders", "orders.csv", "--brand", brand_id)

    assert result.returncode == 2, result.stderr  # some imported, some rejected
    assert f"{len(rows)} orders created; 1 rows rejected." in result.stdout
    assert f"row {len(rows) + 2}, column postcode" in result.stdout
