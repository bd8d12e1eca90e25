"""Refusals of the use cases that are not rules of the model: missing, forbidden, unknown caller.

The API maps each to one problem+json status; the CLI and jobs print the message.
"""

from __future__ import annotations


class ServiceError(Exception):
    """Base of every refusal a use case gives besides the domain's own rules."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(ServiceError):
    """The object does not exist *for this principal*: another tenant's id looks the same."""

    def __init__(self, kind: str, public_id: str) -> None:
        super().__init__(f"No {kind} with id {public_id!r}.")
        self.kind = kind
        self.public_id = public_id


class PermissionDenied(ServiceError):
    """The principal is known but its role may not do this."""


class TooManyRequests(ServiceError):
    """A rate limit or a lock-out after repeated failures: try again in ``retry_after`` s."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Too many requests; try again in {retry_after} seconds.")
        self.retry_after = retry_after


class AuthenticationFailed(ServiceError):
    """Unknown, revoked or malformed credentials; never says which, to give nothing away."""

    def __init__(self) -> None:
        super().__init__("The credentials are not valid.")


class UnsupportedMediaType(ServiceError):
    """The body is not of a type this endpoint takes (415), named by ``field``."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class PayloadTooLarge(ServiceError):
    """The body is larger than this endpoint takes (413)."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(f"The body is larger than {max_bytes} bytes ({max_bytes // 2**20} MB).")
        self.max_bytes = max_bytes


class Gone(ServiceError):
    """The object existed but its content was deleted on purpose (retention): 410."""
