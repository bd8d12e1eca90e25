"""Reading and setting a brand's delivery policy (domain/delivery_policy.py).

Operators read and set every brand's policy; a brand's own key may read its own (to show
its customers what happens after a missed delivery), never another brand's: that one looks
missing. Every change is in the audit log with who and when.
"""

from __future__ import annotations

from doorstep.domain.access import Principal, Reach
from doorstep.domain.delivery_policy import DEFAULT_POLICY, DeliveryPolicy
from doorstep.services.access import require_hub_operator, require_id
from doorstep.services.audit import record as record_audit
from doorstep.services.errors import NotFound, PermissionDenied
from doorstep.services.ports import Clock, UnitOfWork


def require_policy_reader(principal: Principal) -> None:
    """Operators and brand keys may read a policy; couriers and recipients may not."""
    if principal.reach not in (Reach.ALL, Reach.OWN_BRAND):
        raise PermissionDenied("Only operators, or the brand itself, may read its policy.")


def policy_of(uow: UnitOfWork, brand_id: str) -> DeliveryPolicy:
    """The brand's policy inside an open unit of work: its own, else the defaults."""
    return uow.delivery_policies.get(brand_id) or DEFAULT_POLICY


def delivery_policy(uow: UnitOfWork, brand_id: str) -> DeliveryPolicy:
    """The brand's policy (the defaults when it never set one)."""
    require_policy_reader(uow.principal)
    require_id(brand_id, "brd", "brand")
    with uow.read_only():
        if uow.brands.get(brand_id) is None:
            raise NotFound("brand", brand_id)
        return policy_of(uow, brand_id)


def set_delivery_policy(
    uow: UnitOfWork, brand_id: str, policy: DeliveryPolicy, *, clock: Clock
) -> DeliveryPolicy:
    """Replace the brand's policy; parcels already decided keep their decision."""
    require_hub_operator(uow.principal)
    require_id(brand_id, "brd", "brand")
    now = clock.now()
    with uow:
        if uow.brands.get(brand_id) is None:
            raise NotFound("brand", brand_id)
        uow.delivery_policies.put(brand_id, policy, at=now, actor=uow.principal.actor)
        record_audit(
            uow, now, "brand.delivery_policy_changed", brand_id,
            attempts_allowed=str(policy.attempts_allowed),
            reattempt=policy.reattempt.value,
            hold_at_hub_days=str(policy.hold_at_hub_days),
            after_last_attempt=policy.after_last_attempt.value,
        )  # fmt: skip
        uow.commit()
    return policy
