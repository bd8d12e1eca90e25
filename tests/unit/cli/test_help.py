"""Every command's help: -h works, and flags do not pretend to take a value."""

from __future__ import annotations

from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from doorstep.cli import app


def _command_paths() -> list[list[str]]:
    """Every command and sub-command (typer ships its own click, so groups are duck-typed)."""
    root: Any = typer.main.get_command(app)
    paths: list[list[str]] = [[]]
    for name, command in root.commands.items():
        paths.append([name])
        paths += [[name, sub] for sub in getattr(command, "commands", {})]
    return paths


@pytest.mark.parametrize("path", _command_paths(), ids=lambda p: " ".join(p) or "doorstep")
def test_short_help_works_and_no_flag_shows_a_bool_type(path: list[str]) -> None:
    result = CliRunner().invoke(app, [*path, "-h"], prog_name="doorstep")
    assert result.exit_code == 0, result.output
    assert "Usage: doorstep" in result.output and "-h, --help" in result.output
    assert "<bool>" not in result.output


def test_import_orders_help_says_the_brand_may_be_named() -> None:
    result = CliRunner().invoke(app, ["import-orders", "--help"])
    assert "its id or its name" in result.output
