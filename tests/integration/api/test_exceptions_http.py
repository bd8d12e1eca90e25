"""/v1/exceptions over real HTTP: operators list, read and resolve; brand keys, couriers
and nobody get nothing; bad input is problem+json, never a 500."""

from __future__ import annotations

from datetime import timedelta

from doorstep.domain.exceptions import ExceptionKind, key_of
from doorstep.domain.model import Role
from doorstep.services import exceptions
from tests import factories
from tests.courier_day import SYSTEM, dispatched_day
from tests.integration.live_server import LiveApi

PROBLEM = "application/problem+json"


def raised(live_api: LiveApi) -> tuple[str, str, str]:
    """An open exception; returns its id, the route's and the courier's."""
    factory = live_api.container.uow_factory
    day = dispatched_day(factory, stops=1)
    with factory(SYSTEM) as uow:
        found = exceptions.raise_exception(
            uow,
            ExceptionKind.ROUTE_NOT_STARTED,
            key_of(day.route_id),
            at=factories.MORNING + timedelta(minutes=15),
            details="Planned to leave at 07:00; not started 15 min later.",
            route_id=day.route_id,
        )
        uow.commit()
    assert found is not None
    return found.id, day.route_id, day.courier_id


def test_a_dispatcher_lists_reads_and_resolves_an_exception_once(live_api: LiveApi) -> None:
    exception_id, route_id, _ = raised(live_api)
    http = live_api.client(live_api.create_operator(Role.DISPATCHER))

    listed = http.get("/v1/exceptions", params={"route_id": route_id})
    assert listed.status_code == 200
    [item] = listed.json()["items"]
    assert item["id"] == exception_id and item["kind"] == "route_not_started"
    assert item["title"] == "Route not started" and item["state"] == "open"
    assert http.get(f"/v1/exceptions/{exception_id}").json()["details"].startswith("Planned")

    done = http.post(f"/v1/exceptions/{exception_id}/resolve", json={"note": "Courier ill: moved"})
    assert done.status_code == 200, done.text
    assert done.json()["resolution"] == "resolved_by_dispatcher"
    assert done.json()["note"] == "Courier ill: moved"
    again = http.post(f"/v1/exceptions/{exception_id}/resolve", json={"note": "twice"})
    assert again.status_code == 409 and again.headers["content-type"] == PROBLEM
    assert http.get("/v1/exceptions", params={"route_id": route_id}).json()["items"] == []
    resolved = http.get("/v1/exceptions", params={"state": "resolved", "route_id": route_id})
    assert [i["id"] for i in resolved.json()["items"]] == [exception_id]


def test_brand_keys_couriers_and_nobody_are_refused(live_api: LiveApi) -> None:
    exception_id, _, courier_id = raised(live_api)
    _, brand_key = live_api.create_brand()
    callers = {
        401: live_api.client(),
        403: live_api.client(brand_key),
    }
    courier = live_api.client(live_api.create_operator(Role.COURIER, courier_id=courier_id))
    for status, http in [*callers.items(), (403, courier)]:
        for answer in (
            http.get("/v1/exceptions"),
            http.get(f"/v1/exceptions/{exception_id}"),
            http.post(f"/v1/exceptions/{exception_id}/resolve", json={"note": "mine"}),
        ):
            assert answer.status_code == status, answer.text
            assert answer.headers["content-type"] == PROBLEM


def test_bad_input_is_a_problem_never_a_500(live_api: LiveApi) -> None:
    exception_id, _, _ = raised(live_api)
    http = live_api.client(live_api.create_operator(Role.ADMIN))
    cases = [
        (http.get("/v1/exceptions", params={"state": "closed"}), 422),
        (http.get("/v1/exceptions", params={"kind": "on_fire"}), 422),
        (http.get("/v1/exceptions", params={"limit": "0"}), 422),
        (http.get("/v1/exceptions/exc_NOTTHERE00000000"), 404),
        (http.get("/v1/exceptions/par_WRONGTYPE0000000"), 404),
        (http.post(f"/v1/exceptions/{exception_id}/resolve", json={}), 422),
        (http.post(f"/v1/exceptions/{exception_id}/resolve", json={"note": ""}), 422),
        (http.post(f"/v1/exceptions/{exception_id}/resolve", json={"note": "a\x00b"}), 422),
        (http.post(f"/v1/exceptions/{exception_id}/resolve", json={"note": "x", "extra": 1}), 422),
        (http.post(f"/v1/exceptions/{exception_id}/resolve", content=b"{not json"), 422),
    ]
    for answer, status in cases:
        assert answer.status_code == status, (answer.request.url, answer.text)
        assert answer.headers["content-type"] == PROBLEM
    assert http.get(f"/v1/exceptions/{exception_id}").json()["state"] == "open"
