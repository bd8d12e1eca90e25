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


@dataclass(frozen=True, slots=True)
class Principal:
    kind: PrincipalKind
    actor: str  # recorded on every event: "usr_...", "key_...", "system:demo"
    role: Role | None = None
    brand_id: str | None = None
    courier_id: str | None = None

    @classmethod
    def system(cls, name: str) -> Principal:
        return cls(kind=PrincipalKind.SYSTEM, actor=f"system:{name}")

    @classmethod
    def brand(cls, brand_id: str, key_id: str) -> Principal:
        return cls(kind=PrincipalKind.BRAND, actor=key_id, brand_id=brand_id)

    @classmethod
    def user(cls, user_id: str, role: Role, courier_id: str | None = None) -> Principal:
        return cls(kind=PrincipalKind.OPERATOR, actor=user_id, role=role, courier_id=courier_id)

    @property
    def is_brand(self) -> bool:
        return self.kind is PrincipalKind.BRAND

    @property
    def sees_all_brands(self) -> bool:
        """Operator staff and the system see every brand; a brand sees only its own."""
        return self.kind is not PrincipalKind.BRAND

    def may_operate_hub(self) -> bool:
        """Hub scans and fleet changes: admins, dispatchers and the system."""
        if self.kind is PrincipalKind.SYSTEM:
            return True
        return self.kind is PrincipalKind.OPERATOR and self.role in {Role.ADMIN, Role.DISPATCHER}
