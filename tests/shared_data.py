"""The one place tests find ``../shared``: the real data kept beside the clone.

A fresh clone usually has no ``../shared`` beside it, so tests that read it skip with a
reason that says so. CI sets ``DOORSTEP_REQUIRE_SHARED=1`` (``.ci/run``): there a missing
file fails the test loudly instead, so real-data tests are never skipped by accident.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

import pytest

ROOT: Final = Path(__file__).parents[1]
REQUIRE_SHARED_ENV: Final = "DOORSTEP_REQUIRE_SHARED"
# ../shared beside the clone (CI), or beside the folder of worktrees (development).
CANDIDATES: Final = (ROOT.parent / "shared", ROOT.parent.parent / "shared")


def shared_root() -> Path | None:
    """The ``shared`` folder beside the clone, if there is one."""
    return next((p for p in CANDIDATES if p.is_dir()), None)


def requires_shared(*parts: str) -> Path:
    """``../shared/<parts>``; skips the test (fails with DOORSTEP_REQUIRE_SHARED=1) if absent."""
    root = shared_root()
    path = None if root is None else root.joinpath(*parts)
    if path is not None and path.exists():
        return path
    missing = "/".join(("../shared", *parts))
    if os.environ.get(REQUIRE_SHARED_ENV) == "1":
        pytest.fail(f"{missing} is required ({REQUIRE_SHARED_ENV}=1) but not found")
    pytest.skip(
        f"needs {missing} beside the clone (real data; set {REQUIRE_SHARED_ENV}=1 to require it)"
    )
