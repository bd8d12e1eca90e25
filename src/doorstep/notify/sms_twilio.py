"""SMS through a provider with Twilio's REST shape.

``POST {base}/2010-04-01/Accounts/{sid}/Messages.json``, form-encoded ``To``, ``From``
(or ``MessagingServiceSid``) and ``Body``, HTTP basic auth with the account SID and auth
token; the answer is JSON with the message's ``sid``. Twilio's answers are sorted into
the ports' two failures: 429, 5xx, a refused connection or a time-out is
:class:`SendFailed` (try later); any other 4xx (an invalid or unreachable number, an
opted-out one: code 21610) is :class:`SendRefused`. Tests point ``base_url`` at a loopback
server speaking the same protocol. The number and the text never reach the log.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from doorstep.services.ports import OutgoingSms, SendFailed, SendRefused

TWILIO_API = "https://api.twilio.com"
TIMEOUT_S = 20.0


@dataclass(frozen=True, slots=True)
class TwilioAccount:
    account_sid: str
    auth_token: str
    sender: str  # a number in E.164, an alphanumeric sender id, or a "MG..." service sid
    base_url: str = TWILIO_API


class TwilioSmsSender:
    """Satisfies :class:`doorstep.services.ports.SmsSender`."""

    def __init__(self, account: TwilioAccount, client: httpx.Client | None = None) -> None:
        self._account = account
        self._client = client or httpx.Client(timeout=TIMEOUT_S)

    def send(self, sms: OutgoingSms) -> str | None:
        account = self._account
        base = account.base_url.rstrip("/")
        url = f"{base}/2010-04-01/Accounts/{account.account_sid}/Messages.json"
        sender_field = "MessagingServiceSid" if account.sender.startswith("MG") else "From"
        form = {"To": sms.to, sender_field: account.sender, "Body": sms.body}
        try:
            response = self._client.post(
                url, data=form, auth=(account.account_sid, account.auth_token)
            )
        except httpx.HTTPError as error:
            raise SendFailed(f"SMS provider: {type(error).__name__}") from None
        if response.status_code == 429 or response.status_code >= 500:
            raise SendFailed(f"SMS provider answered HTTP {response.status_code}")
        if response.status_code >= 400:
            raise SendRefused(_refusal(response))
        try:
            sid = response.json().get("sid")
        except ValueError:
            sid = None
        return str(sid) if sid else None


def _refusal(response: httpx.Response) -> str:
    """Twilio's code and message (they name no number of ours), or the status."""
    try:
        body = response.json()
    except ValueError:
        return f"SMS provider refused: HTTP {response.status_code}"
    code, message = body.get("code"), " ".join(str(body.get("message", "")).split())[:200]
    return f"SMS provider refused: HTTP {response.status_code} code {code}: {message}"
