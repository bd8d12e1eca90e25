"""A loopback HTTP server speaking Twilio's Messages API, for the SMS sender's tests."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "test-auth-token"


@dataclass
class SmsInbox:
    """Every accepted message (its form fields), and the answers to give next."""

    base_url: str = ""
    received: list[dict[str, str]] = field(default_factory=list)
    auth_failures: int = 0
    answer_next: list[tuple[int, dict[str, object]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _handler(inbox: SmsInbox) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            expected_path = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length).decode()
            secret = base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
            with inbox.lock:
                if self.headers.get("Authorization") != f"Basic {secret}":
                    inbox.auth_failures += 1
                    return self._answer(401, {"code": 20003, "message": "Authenticate"})
                if self.path != expected_path:
                    return self._answer(404, {"code": 20404, "message": "Not found"})
                if inbox.answer_next:
                    status, body = inbox.answer_next.pop(0)
                    return self._answer(status, body)
                form = {key: values[0] for key, values in parse_qs(raw).items()}
                inbox.received.append(form)
                sid = f"SM{len(inbox.received):032d}"
            self._answer(201, {"sid": sid, "status": "queued", "to": form.get("To")})

        def _answer(self, status: int, body: dict[str, object]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            return None

    return Handler


@contextmanager
def twilio_server() -> Iterator[SmsInbox]:
    inbox = SmsInbox()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(inbox))
    inbox.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield inbox
    finally:
        server.shutdown()
        server.server_close()
