"""Role checks shared by the use cases; tenant scoping itself lives in the repositories."""

from __future__ import annotations

from collections.abc import Callable

from doorstep.domain import ids
from doorstep.domain.access import Principal, PrincipalKind, Reach
from doorstep.domain.errors import InvalidValue
from doorstep.domain.model import Role
from doorstep.services.errors import NotFound, PermissionDenied


def require_hub_operator(principal: Principal) -> None:
    """Hubs, scans and fleet belong to the delivery company: admins, dispatchers, the system."""
    if not principal.may_operate_hub():
        raise PermissionDenied("Only operator admins and dispatchers may do this.")


def require_admin(principal: Principal) -> None:
    if principal.kind is PrincipalKind.SYSTEM:
        return
    if principal.kind is not PrincipalKind.OPERATOR or principal.role is not Role.ADMIN:
        raise PermissionDenied("Only operator admins may do this.")


def require_courier(principal: Principal) -> str:
    """The courier app's own endpoints: an operator user with the courier role, linked to a
    courier record. Returns that courier's id; office staff, brands and the system are
    refused (they act on couriers through the office endpoints, never as one)."""
    if (
        principal.kind is PrincipalKind.OPERATOR
        and principal.role is Role.COURIER
        and principal.courier_id is not None
    ):
        return principal.courier_id
    raise PermissionDenied("Only a courier may do this, from their own app.")


def require_order_writer(principal: Principal) -> None:
    """Brands write their own orders; among operator staff, couriers do not."""
    if principal.reach is Reach.OWN_ROUTES:
        raise PermissionDenied("Couriers may not create or cancel orders.")
    if principal.reach is Reach.OWN_ORDER:
        raise PermissionDenied("A recipient may not create or cancel orders.")


def require_id(public_id: str, prefix: str, kind: str) -> None:
    """A malformed id can match nothing: answer 'not found' before touching the database."""
    if not ids.has_prefix(public_id, prefix):
        raise NotFound(kind, public_id[:40])


def require_reference(
    public_id: str | None, prefix: str, get: Callable[[str], object | None], field: str, kind: str
) -> None:
    """An id named inside a request body must be of its type and visible to the caller;
    otherwise the body is invalid at that field (422), not the URL (404). None passes."""
    if public_id is not None and (not ids.has_prefix(public_id, prefix) or get(public_id) is None):
        raise InvalidValue(field, f"no such {kind}")
