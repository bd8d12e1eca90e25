"""The app a test server subprocess serves: ``uvicorn --factory`` calls :func:`create`.

Everything comes from ``DOORSTEP_*`` environment variables (database, mode, secret), as in
production, so the subprocess needs nothing from the test but its environment.
"""

from __future__ import annotations

import os
from dataclasses import replace

from fastapi import FastAPI

from doorstep.api import create_app
from doorstep.bootstrap import build_app, build_container
from doorstep.config import Settings

UPLOADED_BLOBS_ENV = "DOORSTEP_TEST_UPLOADED_BLOBS"


def create() -> FastAPI:
    return build_app(Settings())


def create_with_uploaded_blobs() -> FastAPI:
    """As :func:`create`, with the proof files named (comma-separated SHA-256) in
    ``DOORSTEP_TEST_UPLOADED_BLOBS`` counted as uploaded: courier actions signed with them
    apply without an upload endpoint."""
    uploaded = frozenset(filter(None, os.environ.get(UPLOADED_BLOBS_ENV, "").split(",")))
    container = build_container(Settings())
    return create_app(replace(container, blob_exists=lambda sha256: sha256 in uploaded))
