"""Role checks shared by the use cases; tenant scoping itself lives in the repositories."""

from __future__ import annotations

from doorstep.domain import ids
from doorstep.domain.access import Principal, PrincipalKind
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


def require_order_writer(principal: Principal) -> None:
    """Brands write their own orders; among operator staff, couriers do not."""
    if principal.kind is PrincipalKind.OPERATOR and principal.role is Role.COURIER:
        raise PermissionDenied("Couriers may not create or cancel orders.")


def require_id(public_id: str, prefix: str, kind: str) -> None:
    """A malformed id can match nothing: answer 'not found' before touching the database."""
    if not ids.has_prefix(public_id, prefix):
        raise NotFound(kind, public_id[:40])
