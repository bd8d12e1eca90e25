"""CSRF tokens for the tracking page's forms, with no session: an HMAC of the tracking token.

The recipient has no login and no cookie; what makes a form post theirs is that it came
from the page their token opened. The page embeds ``issue(secret, token)`` in each form; the
handler accepts the post only when ``check`` agrees. A forger on another site knows neither
the tracking token nor the server's secret, so cannot make the value. Distinct from every
other use of the secret by its own label.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Final

_LABEL: Final = b"doorstep.tracking.csrf.v1\x00"


def issue(secret: str, token: str) -> str:
    """The CSRF value for forms on the page of ``token``."""
    mac = hmac.new(secret.encode(), _LABEL + token.encode(), hashlib.sha256)
    return mac.hexdigest()


def check(secret: str, token: str, value: str) -> bool:
    """Whether ``value`` is the CSRF value for ``token``, compared in constant time."""
    if not value or len(value) > 128:
        return False
    return hmac.compare_digest(issue(secret, token).encode(), value.encode(errors="replace"))
