from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from doorstep.domain.errors import InvalidTransition, InvalidValue, WrongVehicle
from doorstep.domain.parcel import (
    FINAL_STATES,
    TRANSITIONS,
    Parcel,
    ParcelAction,
    ParcelState,
    allowed_actions,
)
from tests import factories
from tests.factories import MORNING

A, S = ParcelAction, ParcelState


def _apply(parcel: Parcel, action: ParcelAction, minute: int = 0, **kw: str) -> None:
    if action is A.LOAD and "vehicle_id" not in kw:
        kw["vehicle_id"] = parcel.vehicle_id or "veh_a"
    parcel.apply(action, actor="usr_test", at=MORNING + timedelta(minutes=minute), **kw)  # type: ignore[arg-type]


def test_happy_path_reaches_delivered_with_one_event_per_step() -> None:
    parcel = factories.parcel()
    for action in (A.RECEIVE, A.SORT, A.LOAD, A.DEPART, A.DELIVER):
        _apply(parcel, action)
    assert parcel.state is S.DELIVERED
    assert [e.to_state for e in parcel.events] == [
        S.AT_HUB, S.SORTED, S.LOADED, S.OUT_FOR_DELIVERY, S.DELIVERED,
    ]  # fmt: skip
    assert [e.sequence for e in parcel.events] == [1, 2, 3, 4, 5]


def test_refuses_loading_a_parcel_never_received_and_names_allowed_actions() -> None:
    parcel = factories.parcel()
    with pytest.raises(InvalidTransition) as refused:
        _apply(parcel, A.LOAD)
    assert refused.value.current == "created"
    assert refused.value.allowed == ["cancel", "receive"]
    assert "cannot load" in refused.value.message
    assert parcel.state is S.CREATED and parcel.events == []


def test_refuses_scan_onto_wrong_vehicle() -> None:
    parcel = factories.parcel()
    _apply(parcel, A.RECEIVE)
    _apply(parcel, A.SORT, bay="B12", vehicle_id="veh_right")
    with pytest.raises(WrongVehicle) as refused:
        _apply(parcel, A.LOAD, vehicle_id="veh_wrong")
    assert "veh_right" in refused.value.message
    assert parcel.state is S.SORTED


def test_failed_attempt_goes_back_to_hub_or_returns() -> None:
    parcel = factories.parcel()
    for action in (A.RECEIVE, A.SORT, A.LOAD, A.DEPART, A.FAIL_ATTEMPT):
        _apply(parcel, action)
    assert parcel.attempts == 1
    assert allowed_actions(parcel.state) == {A.RECEIVE, A.START_RETURN}
    _apply(parcel, A.START_RETURN)
    _apply(parcel, A.COMPLETE_RETURN)
    assert parcel.state is S.RETURNED_TO_SENDER


def test_cancel_is_refused_once_out_for_delivery() -> None:
    parcel = factories.parcel()
    for action in (A.RECEIVE, A.SORT, A.LOAD, A.DEPART):
        _apply(parcel, action)
    with pytest.raises(InvalidTransition):
        _apply(parcel, A.CANCEL)


def test_order_cancel_is_all_or_nothing() -> None:
    order = factories.order(parcels=2)
    first, second = order.parcels
    for action in (A.RECEIVE, A.SORT, A.LOAD, A.DEPART):
        _apply(second, action)
    with pytest.raises(InvalidTransition):
        order.cancel(actor="usr_test", at=MORNING)
    assert first.state is S.CREATED


def test_refuses_negative_weight() -> None:
    with pytest.raises(InvalidValue):
        factories.parcel(weight_kg=-1.0)


def test_every_state_is_reachable_and_final_states_have_no_moves() -> None:
    reachable = {S.CREATED}
    frontier = [S.CREATED]
    while frontier:
        for target in TRANSITIONS[frontier.pop()].values():
            if target not in reachable:
                reachable.add(target)
                frontier.append(target)
    assert reachable == set(ParcelState)
    assert {S.DELIVERED, S.RETURNED_TO_SENDER, S.CANCELLED} == FINAL_STATES


actions = st.lists(st.sampled_from(list(ParcelAction)), max_size=40)
vehicles = st.sampled_from(["veh_a", "veh_b", None])


@given(sequence=actions, vehicle_choices=st.lists(vehicles, min_size=40, max_size=40))
def test_random_commands_never_reach_an_undefined_state_and_replay_agrees(
    sequence: list[ParcelAction], vehicle_choices: list[str | None]
) -> None:
    parcel = factories.parcel()
    for minute, (action, vehicle) in enumerate(zip(sequence, vehicle_choices, strict=False)):
        before = (parcel.state, len(parcel.events))
        try:
            parcel.apply(
                action, actor="usr_prop", at=MORNING + timedelta(minutes=minute), vehicle_id=vehicle
            )
        except (InvalidTransition, WrongVehicle, InvalidValue):
            assert (parcel.state, len(parcel.events)) == before
        assert parcel.state in TRANSITIONS

    replayed = Parcel.replay(
        id=parcel.id,
        order_id=parcel.order_id,
        brand_id=parcel.brand_id,
        barcode=parcel.barcode,
        weight_kg=parcel.weight_kg,
        events=reversed(parcel.events),
    )
    assert replayed.state is parcel.state
    assert (replayed.bay, replayed.vehicle_id, replayed.attempts) == (
        parcel.bay, parcel.vehicle_id, parcel.attempts,
    )  # fmt: skip
