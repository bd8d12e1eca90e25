"""Failed attempts and returns: each brand's delivery policy, what happens to a failed parcel
back at the hub (``settle``), the returns manifest, and the handover to the sender."""

from doorstep.services.returns.handover import (
    MAX_REASON,
    HandedOver,
    handover,
    return_label_source,
    start_return,
)
from doorstep.services.returns.manifest import ReturnLine, ReturnsManifest, returns_manifest
from doorstep.services.returns.policy import delivery_policy, policy_of, set_delivery_policy
from doorstep.services.returns.settle import REATTEMPT_DAYS, Settler, reattempt, settle_failed

__all__ = [
    "MAX_REASON",
    "REATTEMPT_DAYS",
    "HandedOver",
    "ReturnLine",
    "ReturnsManifest",
    "Settler",
    "delivery_policy",
    "handover",
    "policy_of",
    "reattempt",
    "return_label_source",
    "returns_manifest",
    "set_delivery_policy",
    "settle_failed",
    "start_return",
]
