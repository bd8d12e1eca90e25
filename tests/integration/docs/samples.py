"""Code samples of the guides: found in Markdown, run in order, one result per block.

A sample is a fenced block tagged ``sh``, ``bash``, ``shell`` or ``python`` in README.md
or docs/*.md. Untagged fences (trees, output) and ``console``/``json`` blocks are shown,
not run. A block is left out only by a marker on the line just before its fence::

    <!-- sample: not run — serves until stopped -->

The shell blocks of one guide run as one script (``set -euo pipefail``), so a variable one
block sets is there in the next, as for a reader who types the guide top to bottom; a
line after each block records how far the script got, so the test of a block shows that
block's own output. The Python blocks of a guide run the same way in one interpreter.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

SHELL_TAGS = frozenset({"sh", "bash", "shell"})
PYTHON_TAGS = frozenset({"python"})
FENCE = re.compile(r"^```\s*([A-Za-z0-9_+-]*)\s*$")
NOT_RUN = re.compile(r"^<!--\s*sample:\s*not run\s*(?:\u2014|-)+\s*(?P<reason>.+?)\s*-->\s*$")
END = "@@doc-sample-end {}@@"


@dataclass(frozen=True, slots=True)
class Block:
    """One fenced sample: where it is, what it is and, if left out, why."""

    guide: str  # file name relative to the repository root, e.g. docs/api.md
    line: int  # 1-based line of the opening fence
    kind: str  # "shell" or "python"
    code: str
    not_run: str | None

    @property
    def id(self) -> str:
        return f"{Path(self.guide).name}:{self.line}"


def collect(root: Path) -> list[Block]:
    """Every sample of README.md and docs/*.md, guide by guide, in reading order."""
    guides = [root / "README.md", *sorted((root / "docs").glob("*.md"))]
    return [block for path in guides for block in _blocks(path, root)]


def _blocks(path: Path, root: Path) -> list[Block]:
    lines = path.read_text(encoding="utf-8").splitlines()
    found: list[Block] = []
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        end = next((j for j in range(index + 1, len(lines)) if lines[j].startswith("```")), None)
        if end is None:
            raise ValueError(f"{path}:{index + 1}: code fence never closed")
        tag = opening.group(1).lower()
        kind = "shell" if tag in SHELL_TAGS else "python" if tag in PYTHON_TAGS else None
        if kind is not None:
            marker = NOT_RUN.match(lines[index - 1]) if index else None
            found.append(
                Block(
                    guide=str(path.relative_to(root)),
                    line=index + 1,
                    kind=kind,
                    code="\n".join(lines[index + 1 : end]) + "\n",
                    not_run=marker.group("reason") if marker else None,
                )
            )
        index = end + 1
    return found


@dataclass(frozen=True, slots=True)
class GuideRun:
    """What one run of a guide's blocks of one kind printed, block by block."""

    outputs: dict[int, str]  # fence line -> that block's output (stdout and stderr)
    failed_at: int | None  # fence line of the block that failed, None if all passed
    tail: str  # output after the last completed block (the failing block's)
    returncode: int


def script(blocks: list[Block]) -> str:
    """The blocks as one program that marks the end of each block on its output."""
    if blocks[0].kind == "shell":
        parts = ["set -euo pipefail\n"]
        for block in blocks:
            parts += [block.code, f"printf '\\n%s\\n' '{END.format(block.line)}'\n"]
    else:
        parts = []
        for block in blocks:
            parts += [block.code, f"print('\\n{END.format(block.line)}', flush=True)\n"]
    return "".join(parts)


def run_guide(blocks: list[Block], cwd: Path, env: Mapping[str, str], timeout: float) -> GuideRun:
    """Run the blocks (all of one guide and one kind) as one script; see the module doc."""
    program = script(blocks)
    suffix = ".sh" if blocks[0].kind == "shell" else ".py"
    path = cwd / f"sample-{Path(blocks[0].guide).stem}{suffix}"
    path.write_text(program, encoding="utf-8")
    command = ["bash", str(path)] if suffix == ".sh" else ["python", "-u", str(path)]
    done = subprocess.run(
        command,
        cwd=cwd,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        timeout=timeout,
        check=False,
    )
    return _split(blocks, done.stdout.decode("utf-8", "replace"), done.returncode)


def _split(blocks: list[Block], output: str, returncode: int) -> GuideRun:
    outputs: dict[int, str] = {}
    rest = output
    for block in blocks:
        marker = END.format(block.line)
        if marker not in rest:
            return GuideRun(outputs, block.line, rest, returncode)
        outputs[block.line], rest = rest.split(marker, 1)
    failed = None if returncode == 0 else blocks[-1].line
    return GuideRun(outputs, failed, rest, returncode)


def clean_environment(base: Mapping[str, str]) -> dict[str, str]:
    """The caller's environment without Doorstep settings, so a guide sees only its own."""
    return {key: value for key, value in base.items() if not key.startswith("DOORSTEP")}


def path_with(*folders: Path) -> str:
    return os.pathsep.join([*(str(folder) for folder in folders), os.environ.get("PATH", "")])
