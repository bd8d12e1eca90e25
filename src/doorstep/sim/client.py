"""A small typed client of the Doorstep HTTP API, as a brand's shop or a hub scanner uses it.

Transient failures (connection errors, 5xx, 429) are retried a bounded number of times
with backoff, resending the same ``Idempotency-Key`` so the server creates nothing twice.
A hub refusing a scan (409) or not knowing a barcode (202) is an answer, not an error:
:meth:`DoorstepClient.record_scan` returns it as a :class:`ScanResult`.
Tests swap the network through an ``httpx`` transport rather than patching.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

import httpx

from doorstep.domain.scan import ScanOutcome


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """At most ``attempts`` tries; waits double from ``base_delay`` up to ``max_delay``."""

    attempts: int = 4
    base_delay: float = 0.25
    max_delay: float = 4.0

    def delay(self, attempt: int, retry_after: str | None) -> float:
        """Seconds before try ``attempt + 1``; a numeric ``Retry-After`` wins, capped."""
        if retry_after is not None:
            try:
                wait = float(retry_after)
            except ValueError:
                pass  # an HTTP date: fall back to our own backoff
            else:
                return min(max(wait, 0.0), self.max_delay)
        return min(self.base_delay * 2.0 ** (attempt - 1), self.max_delay)


class ApiError(Exception):
    """The API refused the request (4xx): the problem+json body says why."""

    def __init__(self, status_code: int, problem: Mapping[str, Any]) -> None:
        self.status_code = status_code
        self.problem = dict(problem)
        reasons = "; ".join(
            f"{e.get('field')}: {e.get('reason')}" for e in self.problem.get("errors") or []
        )
        title = self.problem.get("detail") or self.problem.get("title") or "request refused"
        super().__init__(f"HTTP {status_code}: {title}" + (f" ({reasons})" if reasons else ""))


class ApiUnavailable(Exception):
    """The API kept failing transiently until the retry budget ran out."""


@dataclass(frozen=True, slots=True)
class ScanResult:
    """What the hub said about one scan."""

    outcome: ScanOutcome
    status_code: int
    message: str
    scan_id: str | None = None
    parcel_id: str | None = None
    parcel_state: str | None = None
    current_state: str | None = None
    allowed_actions: tuple[str, ...] = ()
    body: Mapping[str, Any] = field(default_factory=dict)


def _is_transient(response: httpx.Response) -> bool:
    return response.status_code == 429 or response.status_code >= 500


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {"title": response.text[:200] or response.reason_phrase}
    return body if isinstance(body, dict) else {"items": body}


class DoorstepClient:
    """One caller (a brand key or an operator token) talking to one Doorstep server."""

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        retry: RetryPolicy | None = None,
        timeout: float = 10.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"), headers=headers, transport=transport, timeout=timeout
        )
        self._retry = retry or RetryPolicy()
        self._sleep = sleep

    @classmethod
    def login(cls, base_url: str, email: str, password: str, **options: Any) -> DoorstepClient:
        """An operator's client, with the token from ``POST /v1/auth/token``."""
        with cls(base_url, **options) as anonymous:
            body = anonymous.request(
                "POST", "/v1/auth/token", json={"email": email, "password": password}
            )
        return cls(base_url, str(body["access_token"]), **options)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def create_order(
        self, payload: Mapping[str, Any], *, idempotency_key: str | None = None
    ) -> dict[str, Any]:
        """``POST /v1/orders``; the created order. Raises :class:`ApiError` on 4xx."""
        key = idempotency_key or str(uuid.uuid4())
        return self.request("POST", "/v1/orders", json=payload, idempotency_key=key)

    def record_scan(self, hub_id: str, payload: Mapping[str, Any]) -> ScanResult:
        """``POST /v1/hubs/{hub_id}/scans``: accepted, refused (409) or unknown (202)."""
        response = self._send(
            "POST",
            f"/v1/hubs/{hub_id}/scans",
            json=payload,
            idempotency_key=str(payload["client_event_id"]),
        )
        body = _json(response)
        if response.status_code == 409:
            return ScanResult(
                outcome=ScanOutcome.REFUSED,
                status_code=409,
                message=str(body.get("detail") or body.get("title") or "scan refused"),
                current_state=body.get("current_state"),
                allowed_actions=tuple(body.get("allowed_actions") or ()),
                body=body,
            )
        if response.is_error:
            raise ApiError(response.status_code, body)
        outcome = ScanOutcome.UNKNOWN_BARCODE if response.status_code == 202 else None
        return ScanResult(
            outcome=outcome or ScanOutcome(body.get("outcome", ScanOutcome.ACCEPTED)),
            status_code=response.status_code,
            message=str(body.get("message") or ""),
            scan_id=body.get("id"),
            parcel_id=body.get("parcel_id"),
            parcel_state=body.get("parcel_state"),
            body=body,
        )

    def upload_image(self, sha256: str, data: bytes, content_type: str) -> dict[str, Any]:
        """``PUT /v1/blobs/{sha256}``: a photo or signature, named by its hash."""
        response = self._http.put(
            f"/v1/blobs/{sha256}", content=data, headers={"Content-Type": content_type}
        )
        if response.is_error:
            raise ApiError(response.status_code, _json(response))
        return _json(response)

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        """Any JSON call; the decoded body of a 2xx answer, else :class:`ApiError`."""
        response = self._send(method, path, json=json, idempotency_key=idempotency_key)
        if response.is_error:
            raise ApiError(response.status_code, _json(response))
        return _json(response)

    def _send(
        self, method: str, path: str, *, json: Any, idempotency_key: str | None
    ) -> httpx.Response:
        """One logical request, tried up to the retry policy's budget."""
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        last_failure = "no attempt made"
        for attempt in range(1, self._retry.attempts + 1):
            retry_after = None
            try:
                response = self._http.request(method, path, json=json, headers=headers)
            except httpx.TransportError as exc:
                last_failure = f"{type(exc).__name__}: {exc}"
            else:
                if not _is_transient(response):
                    return response
                last_failure = f"HTTP {response.status_code}"
                retry_after = response.headers.get("Retry-After")
            if attempt < self._retry.attempts:
                self._sleep(self._retry.delay(attempt, retry_after))
        raise ApiUnavailable(
            f"{method} {path} failed {self._retry.attempts} times; last: {last_failure}"
        )
