"""Fixtures shared by every test layer."""

from pathlib import Path

import pytest

from tests.shared_data import requires_shared


@pytest.fixture
def shared_data() -> Path:
    """The ``../shared`` folder of real data: the test skips without it (see tests/shared_data)."""
    return requires_shared()
