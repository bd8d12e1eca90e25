"""A courier's phone syncing its offline queue over HTTP as the courier app does.

The app (``static/courier/queue.js``) keeps the actions not yet answered and the files
they name, and sends the queue in order, up to 50 actions per request, the next request
after the answer. Before each batch it uploads (``PUT /v1/blobs/{sha256}``) every file the
batch names that it has not uploaded yet. An action answered ``applied``, ``duplicate`` or
``refused`` leaves the queue; one answered ``retry`` (a file the server does not have)
stays, its files are uploaded again and it is sent again at the next try. A cut
connection, a 5xx or a 503 stops the sync with everything unanswered still queued, so
a batch whose answer was lost is sent again and its stored actions answer ``duplicate``.

Shared by the kill -9 test and the courier sync benchmark, so both sync as the app does.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.courier_day import ProofFile, files_named

BATCH = 50  # what the app sends per request
ANSWERED = ("applied", "duplicate", "refused")


class Interrupted(Exception):
    """The server could not answer (down, restarting, busy, failing): try again later.
    ``cause`` is ``connect`` (nobody listening), ``cut`` (the connection died with the
    request sent), ``busy`` (503 with Retry-After) or ``server_error`` (another 5xx)."""

    def __init__(self, cause: str, detail: str = "") -> None:
        super().__init__(f"{cause}: {detail}" if detail else cause)
        self.cause = cause
        self.detail = detail


class Rejected(Exception):
    """A 4xx answer: the app does not retry it, so a test fails on it."""


@dataclass
class Phone:
    """One courier's queue and files; ``sync`` sends what is waiting."""

    http: httpx.Client
    queue: list[dict[str, Any]]
    files: Mapping[str, ProofFile]  # by SHA-256
    batch: int = BATCH
    uploaded: set[str] = field(default_factory=set)
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)  # by client_event_id
    uploads: int = 0  # PUT requests answered 200 or 201
    upload_s: float = 0.0  # time spent uploading
    requests: int = 0  # action batches answered
    retries: int = 0  # actions answered ``retry``

    def __post_init__(self) -> None:
        self.pending = list(self.queue)

    def sync(self) -> None:
        """Send batches until the queue is empty or an action must wait for a file.
        Raises :class:`Interrupted` (try later: nothing answered is lost) or
        :class:`Rejected`."""
        while self._send_batch():
            pass

    def _send_batch(self) -> bool:
        batch = self.pending[: self.batch]
        if not batch:
            return False
        for sha in dict.fromkeys(sha for action in batch for sha in files_named(action)):
            if sha not in self.uploaded:
                self._upload(sha)
        answer = self._request("POST", "/v1/courier/actions", json={"actions": batch})
        self.requests += 1
        results = {r["client_event_id"]: r for r in answer.json()["results"]}
        done = set()
        for action in batch:
            result = results.get(action["client_event_id"])
            if result is None:
                continue
            if result["status"] == "retry":
                self.retries += 1
                self.uploaded.difference_update(files_named(action))  # upload it again
            elif result["status"] in ANSWERED:
                self.answers[action["client_event_id"]] = result
                done.add(action["client_event_id"])
        self.pending = [a for a in self.pending if a["client_event_id"] not in done]
        # Everything kept was asked to wait for a file: stop until the next try.
        return len(done) == len(batch) and bool(self.pending)

    def _upload(self, sha: str) -> None:
        kept = self.files[sha]
        began = time.perf_counter()
        self._request(
            "PUT",
            f"/v1/blobs/{sha}",
            content=kept.data,
            headers={"Content-Type": kept.content_type},
        )
        self.upload_s += time.perf_counter() - began
        self.uploads += 1
        self.uploaded.add(sha)

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            answer = self.http.request(method, path, **kwargs)
        except httpx.ConnectError as error:
            raise Interrupted("connect", str(error)) from error
        except httpx.TransportError as error:
            raise Interrupted("cut", f"{method} {path}: {error!r}") from error
        if answer.status_code == 503 and "retry-after" in answer.headers:
            raise Interrupted("busy")
        if answer.status_code >= 500:
            raise Interrupted("server_error", f"{answer.status_code} {answer.text[:200]}")
        if answer.status_code >= 400:
            raise Rejected(f"{method} {path}: {answer.status_code} {answer.text[:300]}")
        return answer
