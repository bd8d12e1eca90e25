"""Signed operator tokens: ``<payload>.<signature>``, HMAC-SHA256 over base64url JSON.

Stateless so that several API processes behind a load balancer accept each other's tokens;
the user is still looked up on every request, so deactivating a user takes effect at once.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from datetime import datetime

_KIND = "op"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret: str, payload: str) -> str:
    return _b64(hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest())


def issue(secret: str, user_id: str, expires_at: datetime) -> str:
    claims = {"typ": _KIND, "sub": user_id, "exp": int(expires_at.timestamp())}
    payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
    return f"{payload}.{_sign(secret, payload)}"


def verify(secret: str, token: str, now: datetime) -> str | None:
    """The user id the token was issued to, or None when forged, malformed or expired."""
    payload, _, signature = token.partition(".")
    # compare_digest refuses str with non-ASCII characters (a TypeError); a header may
    # carry any byte, so compare the UTF-8 bytes: a foreign character simply differs.
    expected = _sign(secret, payload).encode()
    if not payload or not hmac.compare_digest(expected, signature.encode(errors="replace")):
        return None
    try:
        claims = json.loads(_unb64(payload))
    except (ValueError, binascii.Error):
        return None
    if not isinstance(claims, dict) or claims.get("typ") != _KIND:
        return None
    expires, subject = claims.get("exp"), claims.get("sub")
    if not isinstance(expires, int) or not isinstance(subject, str):
        return None
    return subject if now.timestamp() < expires else None
