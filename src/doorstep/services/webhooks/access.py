"""Who may do what with webhooks, written once.

A brand's key manages its own endpoints; an operator admin any brand's (to help a brand
set one up); a dispatcher may look (deliveries, attempts, dead letters) but not change;
couriers have nothing to do with webhooks. The repositories scope what each one sees.
"""

from __future__ import annotations

from doorstep.domain.access import Principal, PrincipalKind
from doorstep.domain.model import Role
from doorstep.services.errors import PermissionDenied


def require_reader(principal: Principal) -> None:
    if principal.kind in {PrincipalKind.BRAND, PrincipalKind.SYSTEM}:
        return
    if principal.role not in {Role.ADMIN, Role.DISPATCHER}:
        raise PermissionDenied("Webhooks are for brands and the delivery company's office.")


def require_writer(principal: Principal) -> None:
    if principal.kind in {PrincipalKind.BRAND, PrincipalKind.SYSTEM}:
        return
    if principal.role is not Role.ADMIN:
        raise PermissionDenied("Only a brand or an operator admin may change webhook endpoints.")
