"""The API as ``uvicorn --factory`` serves it, configured from ``DOORSTEP_*`` variables.

The big-import test runs it in a subprocess so that the server's memory can be measured
apart from the test's own.
"""

from __future__ import annotations

from fastapi import FastAPI

from doorstep.bootstrap import build_app
from doorstep.config import Settings


def app() -> FastAPI:
    return build_app(Settings())
