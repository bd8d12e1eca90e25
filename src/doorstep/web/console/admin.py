"""What the admin pages share: reading form fields, and turning a use case's refusal into
words on the page (never a 500). The rules themselves stay in the use cases."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final, TypeVar

from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from doorstep.domain.errors import DomainError, InvalidValue
from doorstep.services.errors import NotFound, PermissionDenied, ServiceError
from doorstep.services.ports import Conflict, StaleObject, StoreBusy

T = TypeVar("T")


class Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def optional(form: FormData, name: str) -> str | None:
    return text(form, name) or None


def number(form: FormData, name: str, label: str, *, whole: bool = False) -> float:
    raw = text(form, name) or "0"
    try:
        value = int(raw) if whole else float(raw)
    except ValueError:
        raise Refused(422, f"{label}: type a {'whole ' if whole else ''}number.") from None
    if not 0 <= value < 1_000_000:
        raise Refused(422, f"{label}: between 0 and 999,999.")
    return value


_FIELDS: Final = {
    "name": "The name",
    "email": "The e-mail address",
    "password": "The password",
    "capacity": "The capacity",
    "hub_id": "The hub",
    "vehicle_id": "The vehicle",
    "courier_id": "The courier",
    "url": "The URL",
    "event_types": "The event types",
    "description": "The description",
    "brand_id": "The brand",
    "phone": "The phone number",
}


def sentence(error: InvalidValue) -> str:
    subject = _FIELDS.get(error.field, f"The field {error.field!r}")
    reason = error.reason.rstrip(".")
    return f"{subject}: {reason}."


def refusal_of(error: Exception) -> Refused:
    """The status and words for a use case's refusal; anything else is a real fault."""
    if isinstance(error, Refused):
        return error
    if isinstance(error, InvalidValue):
        return Refused(422, sentence(error))
    if isinstance(error, PermissionDenied):
        return Refused(403, error.message)
    if isinstance(error, NotFound):
        return Refused(404, error.message)
    if isinstance(error, StaleObject | Conflict):
        return Refused(409, str(error) or "It changed at the same moment; try again.")
    if isinstance(error, StoreBusy):
        return Refused(503, "The database is busy for a moment: send the form again.")
    if isinstance(error, DomainError | ServiceError):
        return Refused(409, error.message)
    raise error


async def attempt(run: Callable[[], T]) -> T:
    """Run a use case in a worker thread; a refusal comes back as :class:`Refused`."""
    try:
        return await run_in_threadpool(run)
    except Exception as error:
        raise refusal_of(error) from error
