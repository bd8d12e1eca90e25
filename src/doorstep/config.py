"""The one settings object. Read from ``DOORSTEP_*`` environment variables (and ``.env``)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from doorstep.domain.pings import DEFAULT_RETENTION_DAYS

DEMO_SECRET = "demo-secret-not-for-production"  # noqa: S105 - refused outside demo mode


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DOORSTEP_", env_file=".env", extra="ignore")

    mode: Literal["demo", "production", "test"] = "production"
    data_dir: Path = Path("var")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default is a SQLite file in data_dir."
    )
    secret_key: str = DEMO_SECRET
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str = "http://127.0.0.1:8000"
    redis_url: str | None = None
    tile_url: str | None = Field(
        default=None, description="Map tile URL template; none means maps draw without tiles."
    )
    # Rate limits and lock-outs (see docs/operations.md). Generous enough for the demo and
    # the simulator; the counters live in memory, or in Redis when redis_url is set.
    requests_per_minute_per_address: int = Field(default=6000, ge=1)
    requests_per_minute_per_credential: int = Field(default=3000, ge=1)
    login_failures_per_account: int = Field(
        default=5, ge=1, description="Wrong passwords for one account before it is locked."
    )
    auth_failures_per_address: int = Field(
        default=50, ge=1, description="Failed logins, keys or tokens before an address is locked."
    )
    lockout_seconds: int = Field(
        default=30, ge=1, description="The first lock; each further failure doubles it."
    )
    lockout_max_seconds: int = Field(default=900, ge=1)
    failure_memory_seconds: int = Field(
        default=3600, ge=1, description="Failures older than this are forgotten."
    )
    ping_retention_days: int = Field(
        default=DEFAULT_RETENTION_DAYS,
        ge=1,
        le=3650,
        description="Couriers' positions older than this are refused and deleted.",
    )

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> Settings:
        if self.mode == "production" and self.secret_key == DEMO_SECRET:
            raise ValueError(
                "DOORSTEP_SECRET_KEY is the demo default: set a long random value "
                "(for example `python -c 'import secrets; print(secrets.token_urlsafe(48))'`)"
            )
        return self

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'doorstep.sqlite3').resolve()}"
