"""HTTP JSON API (FastAPI, ``/v1``): routers per resource, Pydantic schemas, problem+json."""

from doorstep.api.app import create_app

__all__ = ["create_app"]
