"""A brand's webhook receiver on loopback, as a brand would write one: it verifies every
request with ``standardwebhooks.Webhook(secret).verify`` and keeps the ids it has taken.

``up`` False answers 503 (a receiver down behind its load balancer); ``clock`` lets the
timestamp check follow a test's injected clock (the library compares with the wall clock,
and a test that moves 71 hours ahead would otherwise be "too new")."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from doorstep.services.ports import Clock

TOLERANCE = timedelta(minutes=5)


class ClockedWebhook(Webhook):
    """``Webhook.verify`` with the timestamp checked against ``clock``, not the wall clock."""

    def __init__(self, secret: str, clock: Clock | None) -> None:
        super().__init__(secret)
        self._clock = clock

    def _Webhook__verify_timestamp(self, timestamp_header: str) -> datetime:  # noqa: N802
        now = self._clock.now() if self._clock is not None else datetime.now(UTC)
        try:
            stamp = datetime.fromtimestamp(float(timestamp_header), tz=UTC)
        except ValueError:
            raise WebhookVerificationError("Invalid Signature Headers") from None
        if not now - TOLERANCE <= stamp <= now + TOLERANCE:
            raise WebhookVerificationError("Message timestamp out of tolerance")
        return stamp


@dataclass
class Receiver:
    secrets: list[str]
    clock: Clock | None = None
    up: bool = True
    url: str = ""
    taken: dict[str, Any] = field(default_factory=dict)  # webhook-id -> parsed body
    seen: list[str] = field(default_factory=list)  # every webhook-id, repeats included
    refused: int = 0
    bad_signatures: int = 0
    signatures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    hang_on: int | None = None  # the n-th request (from 1) is taken, then never answered
    hanging: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    def handle(self, headers: dict[str, str], body: bytes) -> int:
        with self.lock:
            self.seen.append(headers.get("webhook-id", ""))
            self.signatures.append(headers.get("webhook-signature", ""))
            if not self.up:
                self.refused += 1
                return 503
            try:
                # Every secret the brand holds must verify on its own (a rotation's overlap).
                documents = [
                    ClockedWebhook(s, self.clock).verify(body, headers) for s in self.secrets
                ]
            except WebhookVerificationError:
                self.bad_signatures += 1
                return 401
            self.taken.setdefault(headers["webhook-id"], documents[0])
            if self.hang_on is not None and len(self.seen) == self.hang_on:
                self.hanging.set()
                return 0  # taken, but the sender never hears so (it is killed meanwhile)
            return 204

    def types(self) -> list[str]:
        return sorted(document["type"] for document in self.taken.values())


@contextmanager
def receiving(secrets: list[str], clock: Clock | None = None) -> Iterator[Receiver]:
    receiver = Receiver(secrets=secrets, clock=clock)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", "0"))
            body = self.rfile.read(length)
            headers = {key.lower(): value for key, value in self.headers.items()}
            status = receiver.handle(headers, body)
            if status == 0:
                receiver.release.wait(timeout=300)
                return
            answer = json.dumps({"ok": status < 300}).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        receiver.release.set()
        server.shutdown()
        server.server_close()
