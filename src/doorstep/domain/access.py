"""Who is asking: the principal every repository scopes its queries to.

Scoping is decided here once and applied in the repositories, never per route.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from doorstep.domain.model import Role


class PrincipalKind(StrEnum):
    OPERATOR = "operator"  # a user of the delivery company (admin, dispatcher, courier)
    BRAND = "brand"  # a brand's API key
    SYSTEM = "system"  # the CLI, jobs, the demo
    RECIPIENT = "recipient"  # a tracking link's holder: one order, no login


class Reach(StrEnum):
    """How far a principal's queries reach: decided here, applied by the repositories."""

    ALL = "all"  # operator admins and dispatchers, the system
    OWN_BRAND = "own_brand"  # a brand's API key: its own orders, parcels and keys
    OWN_ROUTES = "own_routes"  # a courier: the stops of routes assigned to them, and itself
    OWN_ORDER = "own_order"  # a recipient: their one order, its parcels and their route


_OFFICE_ROLES = frozenset({Role.ADMIN, Role.DISPATCHER})


@dataclass(frozen=True, slots=True)
class Principal:
    kind: PrincipalKind
    actor: str  # recorded on every event: "usr_...", "key_...", "system:demo"
    role: Role | None = None
    brand_id: str | None = None
    courier_id: str | None = None
    order_id: str | None = None  # a recipient's order

    @classmethod
    def system(cls, name: str) -> Principal:
        return cls(kind=PrincipalKind.SYSTEM, actor=f"system:{name}")

    @classmethod
    def brand(cls, brand_id: str, key_id: str) -> Principal:
        return cls(kind=PrincipalKind.BRAND, actor=key_id, brand_id=brand_id)

    @classmethod
    def user(cls, user_id: str, role: Role, courier_id: str | None = None) -> Principal:
        return cls(kind=PrincipalKind.OPERATOR, actor=user_id, role=role, courier_id=courier_id)

    @classmethod
    def recipient(cls, order_id: str) -> Principal:
        """Whoever holds the order's tracking link (checked before this is made): sees that
        order alone. The actor names the order, never the token (events reach brands)."""
        return cls(kind=PrincipalKind.RECIPIENT, actor=f"recipient:{order_id}", order_id=order_id)

    @property
    def is_brand(self) -> bool:
        return self.kind is PrincipalKind.BRAND

    @property
    def reach(self) -> Reach:
        """Office staff and the system see everything; a brand its own; anyone else (a
        courier, or a role added later) only what is assigned to them, so a new role starts
        seeing nothing rather than everything."""
        if self.kind is PrincipalKind.SYSTEM:
            return Reach.ALL
        if self.kind is PrincipalKind.BRAND:
            return Reach.OWN_BRAND
        if self.kind is PrincipalKind.RECIPIENT:
            return Reach.OWN_ORDER
        return Reach.ALL if self.role in _OFFICE_ROLES else Reach.OWN_ROUTES

    @property
    def sees_all_brands(self) -> bool:
        """Office staff and the system see every brand; a brand its own, a courier none."""
        return self.reach is Reach.ALL

    def may_operate_hub(self) -> bool:
        """Hubs, hub scans, fleet, brands and plans: admins, dispatchers and the system."""
        return self.reach is Reach.ALL
