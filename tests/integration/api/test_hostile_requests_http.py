"""Hand-made hostile requests over a real socket: each one gets a 4xx, never a 500.

What the OpenAPI-driven fuzzing cannot make: bytes that are not UTF-8 in headers, NUL
bytes, enormous headers, bodies that are not JSON or nest 200,000 levels deep, content
types that lie. An answer the application gives is problem+json; a request the HTTP
server itself refuses before the application sees it (an oversized header block, a
header with a NUL) is only required to be a 4xx.
"""

from __future__ import annotations

from dataclasses import dataclass

from doorstep.domain.model import Role
from tests.integration.live_server import LiveApi
from tests.integration.raw_http import request_bytes, send

PROBLEM = "application/problem+json"
JSON = (b"Content-Type", b"application/json")
FORM = (b"Content-Type", b"application/x-www-form-urlencoded")
CSV = (b"Content-Type", b"text/csv")
CSV_PATH = "/v1/orders/import"
DEEP = b"[" * 200_000 + b"]" * 200_000
DEEP_OBJECT = b'{"a":' * 100_000 + b"1" + b"}" * 100_000


@dataclass(frozen=True)
class Hostile:
    name: str
    method: str
    path: bytes | str
    headers: tuple[tuple[bytes, bytes], ...] = ()
    body: bytes = b""
    caller: str | None = None  # None, "brand" or "admin": whose credentials are added
    by_server: bool = False  # refused by the HTTP server before the application
    harmless: bool = False  # ignored, so answered normally: anything but a 5xx


def _bearer(token: bytes) -> tuple[bytes, bytes]:
    return (b"Authorization", b"Bearer " + token)


HOSTILE = [
    # Credentials
    Hostile(
        "token with a non-ASCII byte after the dot", "GET", "/v1/orders", (_bearer(b"abc.\xff"),)
    ),
    Hostile("token of non-ASCII bytes only", "GET", "/v1/hubs", (_bearer(b"\xff\xfe.\xfd"),)),
    Hostile(
        "api key with a non-ASCII secret", "GET", "/v1/orders", (_bearer(b"dsk_abcdefgh_\xff"),)
    ),
    Hostile(
        "api key with a non-ASCII prefix", "GET", "/v1/orders", (_bearer(b"dsk_\xffbcdefgh_x"),)
    ),
    Hostile("token of 8,000 characters", "GET", "/v1/orders", (_bearer(b"a." + b"b" * 8000),)),
    Hostile("token payload that is not base64", "GET", "/v1/orders", (_bearer(b"%%%.abc"),)),
    Hostile("empty bearer", "GET", "/v1/orders", ((b"Authorization", b"Bearer "),)),
    Hostile("basic credentials", "GET", "/v1/orders", ((b"Authorization", b"Basic \xff\xfe"),)),
    Hostile("a NUL in a header", "GET", "/v1/orders", (_bearer(b"abc\x00.def"),), by_server=True),
    Hostile("a 100 kB header", "GET", "/v1/orders", ((b"X-Big", b"a" * 100_000),), by_server=True),
    # Login bodies
    Hostile("login nested 200,000 deep", "POST", "/v1/auth/token", (JSON,), DEEP),
    Hostile("login object nested 100,000 deep", "POST", "/v1/auth/token", (JSON,), DEEP_OBJECT),
    Hostile(
        "login e-mail with a NUL",
        "POST",
        "/v1/auth/token",
        (JSON,),
        b'{"email": "ops\\u0000@example.com", "password": "x"}',
    ),
    Hostile(
        "login password with a NUL",
        "POST",
        "/v1/auth/token",
        (JSON,),
        b'{"email": "ops@example.com", "password": "x\\u0000y"}',
    ),
    Hostile(
        "login e-mail in a form with a NUL",
        "POST",
        "/v1/auth/token",
        (FORM,),
        b"username=a%00b&password=x",
    ),
    Hostile(
        "login body that is not UTF-8", "POST", "/v1/auth/token", (JSON,), b'{"email": "\xff\xfe"}'
    ),
    Hostile(
        "login form that is not UTF-8",
        "POST",
        "/v1/auth/token",
        (FORM,),
        b"username=\xff&password=\xfe",
    ),
    Hostile("login JSON that is a list", "POST", "/v1/auth/token", (JSON,), b"[1, 2]"),
    Hostile("login JSON that is a string", "POST", "/v1/auth/token", (JSON,), b'"hello"'),
    Hostile(
        "login lone surrogate",
        "POST",
        "/v1/auth/token",
        (JSON,),
        b'{"email": "\\ud800", "password": "x"}',
    ),
    Hostile(
        "login as text/plain",
        "POST",
        "/v1/auth/token",
        ((b"Content-Type", b"text/plain"),),
        b"hello",
    ),
    Hostile(
        "login multipart without a boundary",
        "POST",
        "/v1/auth/token",
        ((b"Content-Type", b"multipart/form-data"),),
        b"--x\r\n",
    ),
    Hostile(
        "login multipart with a broken part",
        "POST",
        "/v1/auth/token",
        ((b"Content-Type", b"multipart/form-data; boundary=x"),),
        b"--x\r\nContent-Disposition: form-data\r\n\r\nvalue\r\n--x--\r\n",
    ),
    Hostile(
        "login with a non-ASCII content type",
        "POST",
        "/v1/auth/token",
        ((b"Content-Type", b"\xff/\xfe"),),
        b"{}",
    ),
    Hostile("login with no body", "POST", "/v1/auth/token", (JSON,)),
    # Authenticated bodies, queries and paths
    Hostile("order nested 200,000 deep", "POST", "/v1/orders", (JSON,), DEEP, "brand"),
    Hostile("order body that is not JSON", "POST", "/v1/orders", (JSON,), b"\x00\x01\x02", "brand"),
    Hostile(
        "order as text/plain",
        "POST",
        "/v1/orders",
        ((b"Content-Type", b"text/plain"),),
        b"{}",
        "brand",
    ),
    Hostile(
        "order as XML",
        "POST",
        "/v1/orders",
        ((b"Content-Type", b"application/xml"),),
        b"<a/>",
        "brand",
    ),
    Hostile(
        "batch nested deep",
        "POST",
        "/v1/orders/batch",
        (JSON,),
        b'{"orders": [' + DEEP_OBJECT + b"]}",
        "brand",
    ),
    Hostile(
        "idempotency key not UTF-8",
        "POST",
        "/v1/orders",
        (JSON, (b"Idempotency-Key", b"\xff\xfe")),
        b"{}",
        "brand",
    ),
    Hostile("NUL in a path id", "GET", "/v1/orders/ord_%00%00", (), b"", "brand"),
    Hostile("non-UTF-8 path", "GET", "/v1/orders/%FF%FE", (), b"", "brand"),
    Hostile("NUL in a query", "GET", "/v1/orders?reference=%00", (), b"", "brand"),
    Hostile("non-UTF-8 query", "GET", "/v1/orders?reference=%FF&cursor=%FE", (), b"", "brand"),
    Hostile("non-UTF-8 date query", "GET", "/v1/orders?created_from=%FF", (), b"", "brand"),
    Hostile("cursor of garbage", "GET", "/v1/orders?cursor=" + "A" * 200, (), b"", "brand"),
    Hostile("hub name with a NUL", "POST", "/v1/hubs", (JSON,), b'{"name": "a\\u0000"}', "admin"),
    Hostile("brand nested deep", "POST", "/v1/brands", (JSON,), DEEP, "admin"),
    Hostile("plan body of garbage", "POST", "/v1/plans", (JSON,), b"\xff" * 100, "admin"),
    Hostile(
        "plan read with a non-ASCII Accept",
        "GET",
        "/v1/plans/pln_0000000000000000",
        ((b"Accept", b"\xff/geo+json"),),
        b"",
        "admin",
    ),
    # Other parsers: the CSV import, and headers nothing should trust
    Hostile(
        "CSV that is not UTF-8",
        "POST",
        CSV_PATH,
        (CSV,),
        b"reference,postcode\n\xff\xfe,\x80\n",
        "brand",
    ),
    Hostile(
        "CSV with NUL bytes",
        "POST",
        CSV_PATH,
        (CSV,),
        b"reference\x00,postcode\n\x00,\x00\n",
        "brand",
    ),
    Hostile(
        "CSV with a non-ASCII content type",
        "POST",
        CSV_PATH,
        ((b"Content-Type", b"text/\xffcsv"),),
        b"a\n",
        "brand",
    ),
    Hostile("CSV as JSON nested deep", "POST", CSV_PATH, (JSON,), DEEP, "brand"),
    Hostile(
        "forwarded-for of garbage",
        "GET",
        "/v1/orders",
        ((b"X-Forwarded-For", b"\xff, ::zz"),),
        b"",
        "brand",
        harmless=True,
    ),
    Hostile(
        "content length not a number",
        "POST",
        "/v1/orders",
        ((b"Content-Length", b"12abc"),),
        b"",
        "brand",
        by_server=True,
    ),
]


def _failure(live_api: LiveApi, hostile: Hostile, callers: dict[str, bytes]) -> str | None:
    """What is wrong with the answer to ``hostile``, or None."""
    headers = list(hostile.headers)
    if hostile.caller is not None:
        headers.append(_bearer(callers[hostile.caller]))
    raw = request_bytes(hostile.method, hostile.path, headers=headers, body=hostile.body)
    answer = send(live_api.base_url, raw)
    if hostile.harmless and answer.status < 500:
        return None
    if not 400 <= answer.status < 500:
        return f"{hostile.name}: {answer.status} {answer.body[:300]!r}"
    if hostile.by_server:
        return None
    if answer.headers.get("content-type") != PROBLEM or answer.json()["status"] != answer.status:
        return f"{hostile.name}: not problem+json: {answer.headers} {answer.body[:300]!r}"
    return None


def test_hostile_requests_get_a_4xx_never_a_server_error(live_api: LiveApi) -> None:
    """All of them against one server, every failure reported together."""
    _, key = live_api.create_brand()
    callers = {"brand": key.encode(), "admin": live_api.create_operator(Role.ADMIN).encode()}
    failures = [found for h in HOSTILE if (found := _failure(live_api, h, callers))]
    assert failures == [], "\n".join(failures)
    # The server is still up and the callers still welcome.
    assert live_api.client(key).get("/v1/orders").status_code == 200
