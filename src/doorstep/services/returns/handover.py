"""Parcels going back: a dispatcher starting a return, and the handover to the sender.

A handover names the brand and its parcels (ids or barcodes). It is all or nothing: a parcel
unknown, of another brand, or not on its way back refuses the whole handover with each
refusal named, so the desk's count and the driver's count never disagree. It is idempotent:
a parcel already handed over is reported as such and not moved again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from doorstep.domain.errors import InvalidValue
from doorstep.domain.parcel import Parcel, ParcelAction, ParcelState
from doorstep.domain.text import check_text
from doorstep.services.access import require_hub_operator, require_id
from doorstep.services.audit import record as record_audit
from doorstep.services.errors import NotFound
from doorstep.services.orders.labels import LabelSource, label_source
from doorstep.services.ports import Clock, Conflict, StaleObject, UnitOfWork
from doorstep.services.races import retried_on_race

MAX_HANDOVER: Final = 500
MAX_REASON: Final = 200
RETURNABLE: Final = frozenset({ParcelState.ATTEMPT_FAILED, ParcelState.AT_HUB})


@dataclass(frozen=True, slots=True)
class HandedOver:
    parcel_id: str
    barcode: str
    already: bool  # handed over before: nothing changed now


def _find(uow: UnitOfWork, ref: str) -> Parcel | None:
    if ref.startswith("par_"):
        return uow.parcels.get(ref)
    return uow.parcels.get_by_barcode(ref)


def handover(
    uow: UnitOfWork, brand_id: str, refs: Sequence[str], *, clock: Clock
) -> list[HandedOver]:
    """Record ``returned_to_sender`` for each parcel given to the brand's driver."""
    require_hub_operator(uow.principal)
    require_id(brand_id, "brd", "brand")
    wanted = list(dict.fromkeys(ref.strip() for ref in refs if ref.strip()))
    if not wanted:
        raise InvalidValue("parcels", "name at least one parcel id or barcode")
    if len(wanted) > MAX_HANDOVER:
        raise InvalidValue("parcels", f"at most {MAX_HANDOVER} parcels in one handover")
    return retried_on_race(
        lambda: _handover_once(uow, brand_id, wanted, clock), refusals=(Conflict, StaleObject)
    )


def _handover_once(
    uow: UnitOfWork, brand_id: str, refs: list[str], clock: Clock
) -> list[HandedOver]:
    now = clock.now()
    actor = uow.principal.actor
    with uow:
        if uow.brands.get(brand_id) is None:
            raise NotFound("brand", brand_id)
        found: list[Parcel] = []
        refused: list[str] = []
        for ref in refs:
            parcel = _find(uow, ref)
            if parcel is None:
                refused.append(f"{ref[:64]}: no such parcel")
            elif parcel.brand_id != brand_id:
                refused.append(f"{ref[:64]}: belongs to another brand")
            elif parcel.state not in (ParcelState.RETURNING, ParcelState.RETURNED_TO_SENDER):
                state = parcel.state.value.replace("_", " ")
                refused.append(f"{ref[:64]}: is {state}, not returning")
            else:
                found.append(parcel)
        if refused:
            raise InvalidValue("parcels", "; ".join(refused))
        done: list[HandedOver] = []
        for parcel in found:
            already = parcel.state is ParcelState.RETURNED_TO_SENDER
            if not already:
                parcel.apply(
                    ParcelAction.COMPLETE_RETURN,
                    actor=actor,
                    at=now,
                    details={"handed_over_to": brand_id},
                )
                uow.parcels.save(parcel)
            done.append(HandedOver(parcel.id, parcel.barcode, already))
        if any(not d.already for d in done):
            moved = ",".join(d.parcel_id for d in done if not d.already)
            record_audit(uow, now, "returns.handed_over", brand_id, parcels=moved)
            uow.commit()
    return done


def start_return(
    uow: UnitOfWork, parcel_id: str, reason: str, *, clock: Clock, order_id: str | None = None
) -> Parcel:
    """A dispatcher sends a parcel back now (failed, or waiting at the hub), with a reason:
    from the returns page, or from the order page (``order_id``: the parcel must be one of
    that order's)."""
    require_hub_operator(uow.principal)
    require_id(parcel_id, "par", "parcel")
    try:
        why = check_text(reason, max_length=MAX_REASON)
    except ValueError as error:
        raise InvalidValue("reason", str(error)) from None
    if not why:
        raise InvalidValue("reason", "say why the parcel goes back")
    now = clock.now()
    with uow:
        parcel = uow.parcels.get(parcel_id)
        if parcel is None:
            raise NotFound("parcel", parcel_id)
        if order_id is not None and parcel.order_id != order_id:
            raise InvalidValue("parcel_id", f"parcel {parcel_id} is not in this order")
        if parcel.state not in RETURNABLE:
            raise InvalidValue(
                "parcel",
                f"is {parcel.state.value.replace('_', ' ')}; only a failed parcel or "
                "one waiting at the hub can be sent back",
            )
        parcel.apply(
            ParcelAction.START_RETURN,
            actor=uow.principal.actor,
            at=now,
            reason_code="dispatcher",
            details={"next_step": "return_to_sender", "why": why},
        )
        uow.parcels.save(parcel)
        record_audit(uow, now, "parcel.return_started", parcel_id, why=why)
        uow.commit()
    return parcel


def return_label_source(uow: UnitOfWork, parcel_id: str) -> LabelSource:
    """What a return label is printed from: only for a parcel going (or gone) back."""
    require_hub_operator(uow.principal)
    source = label_source(uow, parcel_id)
    if source.parcel.state not in (ParcelState.RETURNING, ParcelState.RETURNED_TO_SENDER):
        state = source.parcel.state.value.replace("_", " ")
        raise Conflict(f"Parcel {source.parcel.barcode} is {state}, not going back to its sender.")
    return source
