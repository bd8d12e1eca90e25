"""Texts from recipients: STOP opts a number out of our texts, START opts it back in.

The provider posts each inbound text to ``/v1/sms/inbound`` in Twilio's shape (form fields
``From``, ``Body``, ...) signed with ``X-Twilio-Signature``: the Base64 HMAC-SHA1, keyed
with the account's auth token, of the full URL followed by every field name and value
sorted by name. An unsigned or wrongly signed post changes nothing. The number is kept
only as a keyed hash (:func:`~doorstep.domain.notifications.phone_key`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
from collections.abc import Sequence

from doorstep.domain.access import Principal
from doorstep.domain.notifications import opt_out_change, phone_key
from doorstep.services.errors import AuthenticationFailed
from doorstep.services.ports import Clock, UnitOfWorkFactory

log = logging.getLogger("doorstep.notifications")
INBOUND = Principal.system("sms-inbound")


def twilio_signature(auth_token: str, url: str, params: Sequence[tuple[str, str]]) -> str:
    """Twilio's request signature for a form post to ``url`` with ``params``."""
    data = url + "".join(name + value for name, value in sorted(params))
    digest = hmac.new(auth_token.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def record_inbound(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    *,
    secret: str,
    auth_token: str | None,
    url: str,
    params: Sequence[tuple[str, str]],
    signature: str | None,
) -> bool | None:
    """Check the signature, then record a STOP or START from the sender's number.

    Returns True (opted out), False (opted back in) or None (any other text: nothing
    changes). Raises AuthenticationFailed when no auth token is set or the signature does
    not match.
    """
    if not auth_token or not signature:
        raise AuthenticationFailed()
    expected = twilio_signature(auth_token, url, params)
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        raise AuthenticationFailed()
    fields = dict(params)
    sender, body = fields.get("From", ""), fields.get("Body", "")
    change = opt_out_change(body)
    if change is None or not sender.strip():
        return None
    with uow_factory(INBOUND) as uow:
        uow.sms_opt_outs.record(phone_key(secret, sender), change, clock.now())
        uow.commit()
    log.info("an SMS recipient opted %s", "out" if change else "back in")
    return change
