"""What a new user meets first on the command line: plain refusals and honest exit codes."""

from __future__ import annotations

from pathlib import Path

from tests.integration.cli.test_commands import free_port, run

EXAMPLE = Path(__file__).parents[3] / "docs" / "examples" / "orders.csv"


def test_serve_without_a_data_directory_says_what_to_run_in_a_line(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    result = run(tmp_path, "serve", "--port", str(free_port()), DOORSTEP_DATA_DIR=str(missing))
    assert result.returncode == 1
    assert "doorstep db upgrade" in result.stderr and str(missing) in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 2
    assert "Traceback" not in result.stderr


def _brand(tmp_path: Path, name: str) -> str:
    assert run(tmp_path, "db", "upgrade").returncode == 0
    created = run(tmp_path, "create-brand", name)
    assert created.returncode == 0, created.stderr
    return created.stdout.split()[1]


def test_import_orders_fails_when_every_row_was_rejected(tmp_path: Path) -> None:
    brand_id = _brand(tmp_path, "Belsize Books")
    header, first = EXAMPLE.read_text().splitlines()[:2]
    (tmp_path / "bad.csv").write_text(f"{header}\n{first.replace('NW3 2YJ', 'NOT A CODE')}\n")
    result = run(tmp_path, "import-orders", "bad.csv", "--brand", brand_id)
    assert result.returncode == 1, result.stdout
    assert "0 orders created; 1 rows rejected." in result.stdout


def test_import_orders_takes_the_brand_by_name_in_any_case(tmp_path: Path) -> None:
    brand_id = _brand(tmp_path, "Belsize Books")
    result = run(tmp_path, "import-orders", str(EXAMPLE), "--brand", "belsize books", "--json")
    assert result.returncode == 0, result.stderr
    assert '"rejected": 0' in result.stdout
    unknown = run(tmp_path, "import-orders", str(EXAMPLE), "--brand", "Nobody Ltd")
    assert unknown.returncode == 1 and "Nobody Ltd" in unknown.stderr
    assert brand_id.startswith("brd_")
