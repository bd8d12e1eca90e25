"""The app a test server subprocess serves: ``uvicorn --factory`` calls :func:`create`.

Everything comes from ``DOORSTEP_*`` environment variables (database, mode, secret, blob
folder), as in production, so the subprocess needs nothing from the test but its
environment.
"""

from __future__ import annotations

from fastapi import FastAPI

from doorstep.bootstrap import build_app
from doorstep.config import Settings


def create() -> FastAPI:
    return build_app(Settings())
