"""Every shell and Python sample in README.md and docs/ runs as written.

The guides run against a real ``doorstep demo`` (a few orders, a temporary data folder, a
free loopback port) from a scratch folder that looks like a checkout (``docs/``,
``.venv/``, ``Makefile``... linked). The test sets only what the guides tell the reader
to set: ``DOORSTEP`` (the server), ``DOORSTEP_EMAIL``/``DOORSTEP_PASSWORD`` (the admin
login the demo prints), ``KEY`` (a brand API key the demo prints) and
``DOORSTEP_NEW_USER_PASSWORD``. ``curl`` fails on an HTTP error here (``--fail-with-body``),
so a sample that gets a 4xx or 5xx fails its test. Left-out blocks are skipped with the
reason written beside them (see ``samples.py`` for the marker).
"""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.docs.samples import (
    Block,
    GuideRun,
    clean_environment,
    collect,
    path_with,
    run_guide,
)
from tests.integration.faults.server_process import free_port

REPO_ROOT = Path(__file__).resolve().parents[3]
VENV_BIN = Path(sys.executable).parent
BLOCKS = collect(REPO_ROOT)
LINKED = ("docs", ".venv", "Makefile", "pyproject.toml", "src", "benchmarks", "tests")
CURL_SHIM = '#!/bin/sh\nexec /usr/bin/curl --fail-with-body --show-error "$@"\n'
GUIDE_TIMEOUT_S = 300.0  # a hung guide fails instead of hanging the suite

pytestmark = pytest.mark.xdist_group("doc-samples")


class Demo:
    """``doorstep demo`` in a subprocess, with what it printed for the reader."""

    def __init__(self, data_dir: Path) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [
                VENV_BIN / "doorstep",
                "demo",
                "--port",
                str(self.port),
                "--orders",
                "12",
                "--data-dir",
                str(data_dir),
            ],
            env=clean_environment(os.environ),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.printed = self._read_welcome()

    def _read_welcome(self) -> dict[str, str]:
        lines: queue.Queue[str | None] = queue.Queue()
        assert self.process.stdout is not None
        stdout = self.process.stdout

        def pump() -> None:
            for line in stdout:
                lines.put(line)
            lines.put(None)

        threading.Thread(target=pump, daemon=True).start()
        seen: list[str] = []
        while True:
            line = lines.get(timeout=180)
            if line is None:
                raise RuntimeError("doorstep demo exited:\n" + "".join(seen))
            seen.append(line)
            if line.startswith("Press Ctrl+C"):
                return _welcome_values(seen)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


def _welcome_values(lines: list[str]) -> dict[str, str]:
    """The admin login and the first brand's API key, from the demo's welcome text."""
    values: dict[str, str] = {}
    for line in lines:
        words = line.split()
        if words[:2] == ["admin", "login"]:
            values["DOORSTEP_EMAIL"], values["DOORSTEP_PASSWORD"] = words[2], words[4]
        if "API key" in line and "KEY" not in values:
            values["KEY"] = words[-1]
    assert set(values) == {"DOORSTEP_EMAIL", "DOORSTEP_PASSWORD", "KEY"}, "".join(lines)
    return values


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder that looks like a checkout, so `docs/examples/...` and `.venv/bin` work."""
    folder = tmp_path_factory.mktemp("guides")
    for name in LINKED:
        (folder / name).symlink_to(REPO_ROOT / name)
    shim = folder / "shim"
    shim.mkdir()
    (shim / "curl").write_text(CURL_SHIM)
    (shim / "curl").chmod(0o755)
    return folder


@pytest.fixture(scope="module")
def runs(scratch: Path) -> Iterator[dict[tuple[str, str], GuideRun]]:
    """Each guide's blocks of each kind, run once on first use against one demo."""
    demo = Demo(scratch / "demo-data")
    env = clean_environment(os.environ) | demo.printed
    env |= {
        "PATH": path_with(scratch / "shim", VENV_BIN),
        "DOORSTEP": demo.base_url,
        "DOORSTEP_NEW_USER_PASSWORD": "a long enough password",
    }

    class Lazy(dict[tuple[str, str], GuideRun]):
        def __missing__(self, key: tuple[str, str]) -> GuideRun:
            blocks = [b for b in BLOCKS if (b.guide, b.kind) == key and b.not_run is None]
            self[key] = run_guide(blocks, scratch, env, GUIDE_TIMEOUT_S)
            return self[key]

    try:
        yield Lazy()
    finally:
        demo.stop()


@pytest.mark.slow  # a demo server, a dozen CLI starts and two planner runs
@pytest.mark.parametrize("block", BLOCKS, ids=[block.id for block in BLOCKS])
def test_sample_runs(block: Block, runs: dict[tuple[str, str], GuideRun]) -> None:
    if block.not_run is not None:
        pytest.skip(f"{block.id} not run: {block.not_run}")
    result = runs[(block.guide, block.kind)]
    if block.line in result.outputs:
        return
    if result.failed_at == block.line:
        pytest.fail(
            f"{block.guide}:{block.line} failed (exit {result.returncode}):\n"
            f"{block.code}\n--- output ---\n{result.tail}",
            pytrace=False,
        )
    pytest.fail(f"not reached: {block.guide}:{result.failed_at} failed first", pytrace=False)


def test_samples_are_found() -> None:
    """The collector sees the guides' samples (an empty list would pass everything)."""
    ids = {block.id for block in BLOCKS}
    assert any(block.startswith("api.md:") for block in ids)
    assert any(block.kind == "python" for block in BLOCKS)


def test_markers_and_tags_decide_what_runs(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "README.md").write_text("# R\n")
    (tmp_path / "docs" / "g.md").write_text(
        "```sh\necho one\n```\n"
        "<!-- sample: not run — serves until stopped -->\n```bash\nsleep 1000\n```\n"
        "```\nnot a sample\n```\n```json\n{}\n```\n```python\nprint(2)\n```\n"
    )
    found = collect(tmp_path)
    assert [(b.id, b.kind, b.not_run) for b in found] == [
        ("g.md:1", "shell", None),
        ("g.md:5", "shell", "serves until stopped"),
        ("g.md:14", "python", None),
    ]


def test_a_failing_block_is_named_and_later_ones_not_reached(tmp_path: Path) -> None:
    blocks = [
        Block("docs/g.md", line, "shell", code, None)
        for line, code in ((1, "X=1\necho ok\n"), (5, "echo $X; false\n"), (9, "echo never\n"))
    ]
    env = clean_environment(os.environ)
    result = run_guide(blocks, tmp_path, env, GUIDE_TIMEOUT_S)
    assert result.failed_at == 5
    assert result.outputs[1].strip() == "ok"
    assert result.tail.strip() == "1"
    assert 9 not in result.outputs
