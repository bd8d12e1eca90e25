"""The one settings object. Read from ``DOORSTEP_*`` environment variables (and ``.env``)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

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
    # Proof-of-delivery images (see docs/operations.md, "Blob storage").
    blob_store: Literal["local", "s3"] = Field(
        default="local", description="Where images are kept: a local folder, or an S3 bucket."
    )
    blob_dir: Path | None = Field(
        default=None, description="The local folder; default is data_dir/blobs."
    )
    s3_endpoint_url: str | None = Field(
        default=None, description="An S3-compatible server (MinIO, Ceph, ...); none is AWS."
    )
    s3_bucket: str | None = None
    s3_access_key: str | None = None
    s3_secret_key: str | None = None
    s3_region: str | None = None
    photo_retention_days: int = Field(
        default=90, ge=1, description="Image files are deleted this many days after upload."
    )

    # Notifications (see docs/notifications.md). In demo mode both channels write to the log.
    smtp_url: str | None = Field(
        default=None,
        description="smtp://host:25, smtp+starttls://user:pass@host:587 or smtps://...; "
        "none writes e-mails to the log.",
    )
    email_from: str | None = Field(
        default=None, description="The From address of e-mails; default no-reply@ the public host."
    )
    sms_provider: Literal["log", "twilio"] = Field(
        default="log", description="log writes texts to the log; twilio sends them."
    )
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = Field(
        default=None, description="Sends texts, and checks the signature of inbound ones."
    )
    sms_from: str | None = Field(
        default=None, description="The sender: an E.164 number, a sender id or an MG... sid."
    )
    twilio_base_url: str = Field(
        default="https://api.twilio.com", description="Another server with Twilio's API."
    )

    @model_validator(mode="after")
    def _twilio_needs_an_account(self) -> Settings:
        if self.sms_provider == "twilio" and not (
            self.twilio_account_sid and self.twilio_auth_token and self.sms_from
        ):
            raise ValueError(
                "DOORSTEP_SMS_PROVIDER=twilio needs DOORSTEP_TWILIO_ACCOUNT_SID, "
                "DOORSTEP_TWILIO_AUTH_TOKEN and DOORSTEP_SMS_FROM"
            )
        return self

    @property
    def effective_email_from(self) -> str:
        if self.email_from:
            return self.email_from
        host = urlsplit(self.public_url).hostname or "localhost"
        return f"no-reply@{host}"

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> Settings:
        if self.mode == "production" and self.secret_key == DEMO_SECRET:
            raise ValueError(
                "DOORSTEP_SECRET_KEY is the demo default: set a long random value "
                "(for example `python -c 'import secrets; print(secrets.token_urlsafe(48))'`)"
            )
        return self

    @model_validator(mode="after")
    def _s3_needs_a_bucket(self) -> Settings:
        if self.blob_store == "s3" and not self.s3_bucket:
            raise ValueError("DOORSTEP_BLOB_STORE=s3 needs DOORSTEP_S3_BUCKET")
        return self

    @property
    def effective_blob_dir(self) -> Path:
        return self.blob_dir if self.blob_dir is not None else self.data_dir / "blobs"

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'doorstep.sqlite3').resolve()}"
