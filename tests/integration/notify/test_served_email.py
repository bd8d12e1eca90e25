"""The whole path as ``doorstep serve`` runs it: an order posted over HTTP, the relay
enqueued after its commit, the server's own consumer relaying and sending, and the e-mail
arriving at a real SMTP server on loopback, once."""

from __future__ import annotations

import time

from tests.factories import order_payload
from tests.integration.live_server import HANG_GUARD_S, serve
from tests.integration.notify.smtp_server import free_port, smtp_server


def test_an_order_posted_over_http_is_confirmed_by_email_through_the_servers_queue(
    database_url: str,
) -> None:
    port = free_port()
    with (
        smtp_server(port) as mailbox,
        serve(database_url, smtp_url=f"smtp://127.0.0.1:{port}") as live,
    ):
        _, key = live.create_brand("Camden Coffee Co")
        body = order_payload(recipient={"name": "Ada Lovelace", "email": "ada@example.com"})
        answer = live.client(key).post("/v1/orders", json=body)
        assert answer.status_code == 201, answer.text
        deadline = time.monotonic() + HANG_GUARD_S
        while not mailbox.received and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1.5)  # room for a second copy, were one ever sent

    [mail] = mailbox.received
    assert mail["To"] == "ada@example.com"
    assert body["reference"] in mail["Subject"]
    text = mail.get_body(("plain",))
    assert text is not None and answer.json()["tracking_url"] in text.get_content()
