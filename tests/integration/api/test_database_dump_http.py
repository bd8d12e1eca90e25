"""A dump of the database holds no phone number, note, access code or API key in clear.

Everything is created the way clients create it, over HTTP (orders one by one, in a batch
and from a CSV file, a courier, an API key), each with an ``Idempotency-Key`` and sent
twice, so that the saved answers are in the dump too. The dump is what a backup or a stolen
disk would hold: the SQLite file with its write-ahead log, or ``pg_dump`` of the schema.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import make_url, text

from doorstep.domain import ids
from doorstep.domain.model import Role
from doorstep.store.database import create_engine_for
from tests.factories import order_payload
from tests.integration.live_server import LiveApi

CSV_HEADER = (
    "reference,recipient_name,recipient_phone,address_line1,postcode,"
    "access_notes,access_code,service_level,weight_kg\n"
)


class Secrets:
    """Values unique to one run, so that a hit can only come from this test's writes."""

    def __init__(self) -> None:
        self.values: list[str] = []

    def phone(self) -> str:
        return self._keep(f"+4477009{ids.new_barcode()[-5:].translate(_DIGITS)}")

    def note(self) -> str:
        return self._keep(f"Behind the bin {ids.new_barcode()}")

    def code(self) -> str:
        return self._keep(f"C{ids.new_barcode()[-6:]}#")

    def _keep(self, value: str) -> str:
        self.values.append(value)
        return value


_DIGITS = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "01234567890123456789012345")


def _twice(http: httpx.Client, path: str, key: str, **request: Any) -> httpx.Response:
    """Send the request, then send it again with the same key: the replay is saved data."""
    headers = {"Idempotency-Key": key} | request.pop("headers", {})
    first = http.post(path, headers=headers, **request)
    http.post(path, headers=headers, **request)
    return first


def _order(secrets: Secrets) -> dict[str, Any]:
    order = order_payload()
    order["recipient"]["phone"] = secrets.phone()
    order["address"] |= {"access_notes": secrets.note(), "access_code": secrets.code()}
    return order


def _create_everything(live_api: LiveApi, secrets: Secrets) -> None:
    brand_id, key = live_api.create_brand()
    brand = live_api.client(key)
    admin = live_api.client(live_api.create_operator(Role.ADMIN))
    assert _twice(brand, "/v1/orders", "order-1", json=_order(secrets)).status_code == 201
    batch = {"orders": [_order(secrets), _order(secrets)]}
    assert _twice(brand, "/v1/orders/batch", "batch-1", json=batch).status_code == 200
    cells = [f"CSV-{ids.new_barcode()}", "Ada", secrets.phone(), "1 Road", "NW1 9LL"]
    row = ",".join([*cells, secrets.note(), secrets.code(), "next_day", "1"]) + "\n"
    imported = _twice(
        brand, "/v1/orders/import", "import-1", content=(CSV_HEADER + row).encode(),
        headers={"Content-Type": "text/csv"},
    )  # fmt: skip
    assert imported.status_code == 200 and imported.json()["accepted"] == 1, imported.text
    courier = {"name": "Kit Courier", "phone": secrets.phone()}
    assert _twice(admin, "/v1/couriers", "courier-1", json=courier).status_code == 201
    issued = _twice(admin, f"/v1/brands/{brand_id}/api-keys", "key-1", json={"name": "shop"})
    assert issued.status_code == 201, issued.text
    api_key = issued.json()["api_key"]
    secrets.values += [api_key, api_key.split("_", 2)[2], key, key.split("_", 2)[2]]


def _sqlite_dump(database_url: str) -> bytes:
    path = Path(make_url(database_url).database or "")
    files = [path, Path(f"{path}-wal"), Path(f"{path}-journal")]
    return b"".join(f.read_bytes() for f in files if f.exists())


def _pg_dump_program() -> str | None:
    found = shutil.which("pg_dump") or next(
        iter(sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_dump"), reverse=True)), None
    )
    return found


def _postgres_dump(database_url: str) -> bytes:
    url = make_url(database_url)
    schema = str(url.query["options"]).removeprefix("-csearch_path=")
    program = _pg_dump_program()
    if program is not None:
        environment = os.environ | ({"PGPASSWORD": url.password} if url.password else {})
        command = [program, "-h", url.host or "127.0.0.1", "-p", str(url.port or 5432)]
        command += ["-U", url.username or "postgres", "-n", schema, url.database or ""]
        return subprocess.run(command, env=environment, capture_output=True, check=True).stdout
    return _every_text_column(database_url, schema)


def _every_text_column(database_url: str, schema: str) -> bytes:
    """Without pg_dump: every text, JSON and bytea value of every table of the schema."""
    engine = create_engine_for(database_url)
    columns = text(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = :s"
        " AND data_type IN ('text', 'character varying', 'json', 'jsonb', 'bytea')"
    )
    chunks = []
    with engine.connect() as connection:
        for table, column in connection.execute(columns, {"s": schema}).all():
            query = text(f'SELECT "{column}"::text FROM "{schema}"."{table}"')
            chunks += [str(v).encode() for v in connection.scalars(query) if v is not None]
    engine.dispose()
    return b"\n".join(chunks)


def _in_clear(value: str, dump: bytes) -> bool:
    """As text, or as the hex ``pg_dump`` writes for a bytea column (``\\x2b3434...``)."""
    raw = value.encode()
    return raw in dump or raw.hex().encode() in dump.lower()


def test_a_dump_of_the_database_holds_no_personal_data_or_keys_in_clear(
    live_api: LiveApi, database_url: str
) -> None:
    secrets = Secrets()
    _create_everything(live_api, secrets)
    if database_url.startswith("sqlite"):
        dump = _sqlite_dump(database_url)
    else:
        dump = _postgres_dump(database_url)
    assert b"idempotency_keys" in dump or database_url.startswith("sqlite")
    assert b"Ada Lovelace" in dump  # the dump holds the data: names are kept in clear
    assert len(secrets.values) == 17
    found = [value for value in secrets.values if _in_clear(value, dump)]
    assert found == [], f"in clear in the dump: {found}"
