"""The route aggregate: load order, the dispatcher's edits and the refusals they cause."""

from __future__ import annotations

from datetime import timedelta

import pytest

from doorstep.domain.errors import InvalidValue, RouteNotLoaded, RouteRefused, WrongVehicle
from doorstep.domain.events import EventName
from doorstep.domain.model import GeoPoint
from doorstep.domain.route import Route, RouteState, RouteStop, StopState
from doorstep.domain.scan import RouteLeg, check_load
from tests import factories

T0 = factories.MORNING


def _stop(n: int, parcels: tuple[str, ...]) -> RouteStop:
    return RouteStop(
        id=f"stp_{n}",
        sequence=n,
        point=GeoPoint(51.54, -0.14),
        postcode="NW1 7AA",
        address_lines=(f"{n} Example Road",),
        recipient_first_name="Ana",
        parcel_ids=parcels,
        planned_arrival=T0 + timedelta(minutes=10 * n),
    )


def _route() -> Route:
    route = Route.dispatch(
        id="rte_1",
        plan_id="pln_1",
        hub_id="hub_1",
        route_date=T0.date(),
        courier_id="cou_1",
        vehicle_id="veh_1",
        stops=[_stop(1, ("par_a", "par_b")), _stop(2, ("par_c",)), _stop(3, ("par_d",))],
        actor="usr_disp",
        at=T0,
    )
    route.collect_events()
    return route


def test_the_last_stop_is_loaded_first() -> None:
    assert _route().load_order() == {"par_d": 1, "par_c": 2, "par_a": 3, "par_b": 4}


def test_a_removed_stop_leaves_the_load_and_refuses_the_courier() -> None:
    route = _route()
    route.remove_stop("stp_2", at=T0, actor="usr_disp", reason="recipient called to cancel")
    assert route.load_order() == {"par_d": 1, "par_a": 2, "par_b": 3}
    assert route.parcel_ids == ["par_a", "par_b", "par_d"]
    [event] = route.collect_events()
    assert event.name is EventName.ROUTE_STOP_REMOVED
    assert event.payload["reason"] == "recipient called to cancel"
    route.start(at=T0, actor="usr_cou", unloaded_barcodes=[])
    with pytest.raises(RouteRefused, match="taken off this route by the dispatcher"):
        route.arrive(
            "stp_2",
            at=T0,
            actor="usr_cou",
            position=None,
            distance_m=None,
            geofence_radius_m=150,
        )


def test_a_removal_needs_a_reason_and_a_stop_not_done() -> None:
    route = _route()
    with pytest.raises(InvalidValue, match="why"):
        route.remove_stop("stp_1", at=T0, actor="usr_disp", reason="  ")
    route.start(at=T0, actor="usr_cou", unloaded_barcodes=[])
    route.skip("stp_1", at=T0, actor="usr_cou", note=None)
    with pytest.raises(RouteRefused, match="skipped"):
        route.remove_stop("stp_1", at=T0, actor="usr_disp", reason="late")


def test_start_is_refused_with_unloaded_parcels() -> None:
    with pytest.raises(RouteNotLoaded, match="DS1"):
        _route().start(at=T0, actor="usr_cou", unloaded_barcodes=["DS1"])


def test_reorder_moves_open_stops_and_keeps_done_ones_in_place() -> None:
    route = _route()
    route.start(at=T0, actor="usr_cou", unloaded_barcodes=[])
    route.complete("stp_1", at=T0, actor="usr_cou", method="recipient")
    route.collect_events()
    route.reorder(["stp_3", "stp_2"], at=T0, actor="usr_disp")
    assert [(s.id, s.sequence) for s in route.stops] == [("stp_1", 1), ("stp_3", 2), ("stp_2", 3)]
    [event] = route.collect_events()
    assert event.name is EventName.ROUTE_STOPS_REORDERED
    with pytest.raises(InvalidValue, match="every stop not yet done"):
        route.reorder(["stp_3"], at=T0, actor="usr_disp")
    with pytest.raises(InvalidValue):
        route.reorder(["stp_3", "stp_3"], at=T0, actor="usr_disp")


def test_an_added_stop_goes_last_and_names_where_it_came_from() -> None:
    route = _route()
    route.add_stop(_stop(9, ("par_z",)), at=T0, actor="usr_disp", moved_from="rte_2")
    assert [s.id for s in route.stops][-1] == "stp_9"
    assert route.stops[-1].sequence == 4
    assert route.load_order()["par_z"] == 1
    [event] = route.collect_events()
    assert (event.name, event.payload["moved_from_route"]) == (EventName.ROUTE_STOP_ADDED, "rte_2")


def test_reassign_hands_the_whole_route_over_with_its_order() -> None:
    route = _route()
    before = [s.id for s in route.stops]
    route.reassign("cou_2", at=T0, actor="usr_disp")
    assert route.courier_id == "cou_2"
    assert [s.id for s in route.stops] == before
    [event] = route.collect_events()
    assert event.name is EventName.ROUTE_REASSIGNED
    assert (event.payload["from_courier_id"], event.payload["to_courier_id"]) == (
        "cou_1",
        "cou_2",
    )
    with pytest.raises(InvalidValue, match="already that courier"):
        route.reassign("cou_2", at=T0, actor="usr_disp")


def test_a_finished_route_takes_no_edits() -> None:
    route = _route()
    route.start(at=T0, actor="usr_cou", unloaded_barcodes=[])
    route.finish(at=T0, actor="usr_cou")
    assert route.state is RouteState.FINISHED
    assert {s.state for s in route.stops} == {StopState.SKIPPED}
    with pytest.raises(RouteRefused, match="finished"):
        route.reassign("cou_2", at=T0, actor="usr_disp")
    with pytest.raises(RouteRefused, match="finished"):
        route.add_stop(_stop(9, ("par_z",)), at=T0, actor="usr_disp")


LEG = RouteLeg(
    route_id="rte_4",
    vehicle_id="veh_4",
    vehicle_name="LK71 ABC",
    stop_id="stp_1",
    load_position=2,
    load_count=6,
)


def test_loading_the_routes_own_vehicle_passes() -> None:
    check_load("DS123", LEG, vehicle_id="veh_4", route_id=None)
    check_load("DS123", LEG, vehicle_id="veh_4", route_id="rte_4")


def test_loading_another_routes_vehicle_names_both_routes() -> None:
    with pytest.raises(WrongVehicle) as refused:
        check_load("DS123", LEG, vehicle_id="veh_2", route_id="rte_2")
    assert refused.value.message.startswith(
        "Parcel DS123 belongs to route rte_4, van LK71 ABC; this is route rte_2."
    )
    with pytest.raises(WrongVehicle, match="this is vehicle veh_9"):
        check_load("DS123", LEG, vehicle_id="veh_9", route_id=None)


def test_a_parcel_sorted_for_another_van_before_its_route_is_sorted_again() -> None:
    with pytest.raises(WrongVehicle, match="Scan a sort again"):
        check_load("DS123", LEG, vehicle_id="veh_4", route_id=None, sorted_for="veh_old")
    check_load("DS123", LEG, vehicle_id="veh_4", route_id=None, sorted_for="veh_4")


def test_taking_some_parcels_off_a_shared_stop_keeps_the_stop_for_the_rest() -> None:
    route = _shared_route()
    stop = route.stops[0]
    route.remove_parcels(stop.id, ["par_a"], at=T0, actor="recipient:ord_a", reason="moved")
    assert stop.parcel_ids == ("par_b",) and not stop.state.done
    assert route.collect_events()[-1].name == EventName.ROUTE_PARCELS_REMOVED
    route.remove_parcels(stop.id, ["par_b"], at=T0, actor="recipient:ord_b", reason="moved")
    assert stop.state is StopState.REMOVED


def _shared_route() -> Route:
    stop = RouteStop(
        id="stp_shared",
        sequence=1,
        point=GeoPoint(51.5, -0.1),
        postcode="NW1 7AA",
        address_lines=("1 Example Road",),
        recipient_first_name="Ada",
        parcel_ids=("par_a", "par_b"),
        planned_arrival=T0,
    )
    return Route.dispatch(
        id="rte_shared", plan_id=None, hub_id="hub_1", route_date=T0.date(), courier_id="cou_1",
        vehicle_id="veh_1", stops=[stop], actor="system:tests", at=T0,
    )  # fmt: skip
