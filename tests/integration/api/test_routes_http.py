"""The hub following routes and the dispatcher's route edits, over real HTTP on SQLite and
PostgreSQL: the answers' shapes, the problems' fields, and who may do it."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from doorstep.domain.model import Role
from tests.courier_day import CourierDay, dispatched_day
from tests.integration.live_server import LiveApi

PROBLEM = "application/problem+json"


class Office:
    """A dispatcher at the desk, and two routes of one hub for the same day."""

    def __init__(self, live_api: LiveApi, loaded_stops: int | None = None) -> None:
        factory = live_api.container.uow_factory
        self.day = dispatched_day(factory, stops=3, loaded_stops=loaded_stops)
        self.other = dispatched_day(
            factory,
            stops=1,
            loaded_stops=loaded_stops,
            hub_id=self.day.hub_id,
            vehicle_name="LK72 XYZ",
        )
        self.http = live_api.client(live_api.create_operator(Role.DISPATCHER))
        self.courier = live_api.client(
            live_api.create_operator(Role.COURIER, courier_id=self.day.courier_id)
        )

    def scan(self, barcode: str, kind: str, **target: str) -> httpx.Response:
        body: dict[str, Any] = {
            "client_event_id": f"{kind}-{barcode}-{sorted(target.items())}".replace(" ", ""),
            "barcode": barcode,
            "kind": kind,
            "target": target,
            "scanned_at": "2026-11-26T06:12:00Z",
        }
        body["client_event_id"] = "".join(c for c in body["client_event_id"] if c.isalnum())
        return self.http.post(f"/v1/hubs/{self.day.hub_id}/scans", json=body)

    def edit(self, day: CourierDay, tail: str, body: dict[str, Any]) -> httpx.Response:
        return self.http.post(f"/v1/routes/{day.route_id}/{tail}", json=body)


def test_the_hub_scan_answers_the_route_and_refuses_another_routes_van(
    live_api: LiveApi,
) -> None:
    office = Office(live_api, loaded_stops=0)
    day, other = office.day, office.other
    barcode = day.barcodes[0][0]

    sorted_ = office.scan(barcode, "sort", bay="B3")

    assert sorted_.status_code == 201, sorted_.text
    answer = sorted_.json()
    assert {k: answer[k] for k in ("route_id", "vehicle_id", "vehicle_name")} == {
        "route_id": day.route_id,
        "vehicle_id": day.vehicle_id,
        "vehicle_name": "LK71 ABC",
    }
    assert (answer["load_position"], answer["load_count"]) == (3, 3)

    wrong = office.scan(barcode, "load", vehicle_id=other.vehicle_id)

    assert wrong.status_code == 409 and wrong.headers["content-type"] == PROBLEM
    problem = wrong.json()
    assert problem["detail"].startswith(
        f"Parcel {barcode} belongs to route {day.route_id}, van LK71 ABC; "
        f"this is route {other.route_id}."
    )
    assert (problem["route_id"], problem["vehicle_id"]) == (day.route_id, day.vehicle_id)
    loaded = office.scan(barcode, "load", vehicle_id=day.vehicle_id)
    assert loaded.status_code == 201, loaded.text
    assert loaded.json()["parcel_state"] == "loaded"


def test_the_dispatcher_edits_a_route_and_the_courier_may_not(live_api: LiveApi) -> None:
    office = Office(live_api)
    day, other = office.day, office.other

    removed = office.edit(
        day, f"stops/{day.stop_ids[2]}/remove", {"reason": "recipient on holiday"}
    )
    assert removed.status_code == 200, removed.text
    body = removed.json()
    assert body["unload"] == day.barcodes[2]
    states = {s["id"]: s["state"] for s in body["route"]["stops"]}
    assert states[day.stop_ids[2]] == "removed"

    reordered = office.edit(day, "reorder", {"stop_ids": [day.stop_ids[1], day.stop_ids[0]]})
    assert reordered.status_code == 200, reordered.text
    open_stops = [s["id"] for s in reordered.json()["route"]["stops"] if s["state"] == "pending"]
    assert open_stops == [day.stop_ids[1], day.stop_ids[0]]

    moved = office.edit(day, f"stops/{day.stop_ids[0]}/move", {"to_route_id": other.route_id})
    assert moved.status_code == 200, moved.text
    moved_body = moved.json()
    assert moved_body["to_route"]["id"] == other.route_id
    assert moved_body["new_stop_id"] in [s["id"] for s in moved_body["to_route"]["stops"]]
    assert moved_body["unload"] == day.barcodes[0]

    busy = office.edit(day, "reassign", {"courier_id": other.courier_id})
    assert busy.status_code == 409 and busy.headers["content-type"] == PROBLEM
    assert "already on" in busy.json()["detail"]
    courier = office.http.post("/v1/couriers", json={"name": "Robin", "phone": "+447700900777"})
    assert courier.status_code == 201, courier.text
    handed = office.edit(day, "reassign", {"courier_id": courier.json()["id"]})
    assert handed.status_code == 200, handed.text
    assert handed.json()["route"]["courier_id"] == courier.json()["id"]
    # The first courier no longer sees the route at all.
    assert office.courier.get(f"/v1/routes/{day.route_id}").status_code == 404


@pytest.mark.parametrize(
    ("tail", "body", "field"),
    [
        ("stops/{stop}/remove", {"reason": ""}, "reason"),
        ("reorder", {"stop_ids": ["stp_NOPE"]}, "stop_ids"),
        ("stops/{stop}/move", {"to_route_id": "rte_0000000000000000"}, "to_route_id"),
        ("reassign", {"courier_id": "cou_0000000000000000"}, "courier_id"),
    ],
)
def test_bad_edits_are_problems_naming_the_field(
    live_api: LiveApi, tail: str, body: dict[str, Any], field: str
) -> None:
    office = Office(live_api)
    answer = office.edit(office.day, tail.format(stop=office.day.stop_ids[0]), body)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == PROBLEM
    assert field in str(answer.json()["errors"])


def test_a_courier_and_an_unknown_route_get_problems(live_api: LiveApi) -> None:
    office = Office(live_api)
    day = office.day
    refused = office.courier.post(
        f"/v1/routes/{day.route_id}/stops/{day.stop_ids[0]}/remove", json={"reason": "mine"}
    )
    assert refused.status_code == 403 and refused.headers["content-type"] == PROBLEM
    missing = office.http.post(
        "/v1/routes/rte_0000000000000000/reorder", json={"stop_ids": [day.stop_ids[0]]}
    )
    assert missing.status_code == 404 and missing.headers["content-type"] == PROBLEM
    done = office.edit(day, f"stops/{day.stop_ids[0]}/remove", {"reason": "twice"})
    assert done.status_code == 200
    again = office.edit(day, f"stops/{day.stop_ids[0]}/remove", {"reason": "twice"})
    assert again.status_code == 409 and again.json()["detail"].startswith(
        f"Stop {day.stop_ids[0]} is removed"
    )
