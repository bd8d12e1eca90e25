"""Hub scans over real HTTP on SQLite and PostgreSQL: races, reused event ids, wrong hubs.

A scanner resends an event when it lost the answer, sometimes many copies at once; every
copy must get the same answer, however the requests interleave in the database.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests import factories
from tests.integration.live_server import LiveApi

COPIES = 30


class Hubside:
    """An operator at a hub, and a brand whose parcels arrive there."""

    def __init__(self, live_api: LiveApi) -> None:
        _, key = live_api.create_brand()
        self.live_api = live_api
        self.token = live_api.create_operator()
        self.brand = live_api.client(key)
        self.ops = live_api.client(self.token)

    def hub(self, name: str) -> dict[str, Any]:
        answer = self.ops.post("/v1/hubs", json=factories.hub_payload(name=name))
        assert answer.status_code == 201, answer.text
        return dict(answer.json())

    def parcel(self, **order: Any) -> dict[str, Any]:
        answer = self.brand.post("/v1/orders", json=factories.order_payload(**order))
        assert answer.status_code == 201, answer.text
        return dict(answer.json()["parcels"][0])

    def state(self, parcel: dict[str, Any]) -> str:
        return str(self.brand.get(f"/v1/parcels/{parcel['id']}").json()["state"])

    def at_once(self, hub: dict[str, Any], bodies: list[dict[str, Any]]) -> list[httpx.Response]:
        """Send every body at the same moment, each from its own connection."""
        start = threading.Barrier(len(bodies))

        def send(body: dict[str, Any]) -> httpx.Response:
            with httpx.Client(
                base_url=self.live_api.base_url,
                headers={"Authorization": f"Bearer {self.token}"},
                timeout=60,
            ) as http:
                start.wait()
                return http.post(f"/v1/hubs/{hub['id']}/scans", json=body)

        with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
            return list(pool.map(send, bodies))


@pytest.fixture
def hubside(live_api: LiveApi) -> Hubside:
    return Hubside(live_api)


def test_thirty_copies_of_one_scan_sent_at_once_all_get_the_same_answer(
    hubside: Hubside,
) -> None:
    hub = hubside.hub("Camden")
    parcel = hubside.parcel()
    body = factories.scan_payload(parcel["barcode"])

    answers = hubside.at_once(hub, [body] * COPIES)

    assert [a.status_code for a in answers] == [201] * COPIES, [a.text for a in answers]
    first = answers[0].json()
    assert all(a.json() == first for a in answers)
    assert (first["outcome"], first["parcel_state"]) == ("accepted", "at_hub")
    assert hubside.state(parcel) == "at_hub"
    assert hubside.ops.get(f"/v1/hubs/{hub['id']}/exceptions").json()["items"] == []


def test_two_scanners_receiving_one_parcel_at_once_get_one_acceptance_and_refusals(
    hubside: Hubside,
) -> None:
    hub = hubside.hub("Camden")
    parcel = hubside.parcel()
    bodies = [factories.scan_payload(parcel["barcode"]) for _ in range(8)]

    answers = hubside.at_once(hub, bodies)

    codes = sorted(a.status_code for a in answers)
    assert codes == [201] + [409] * 7, [a.text for a in answers]
    refusals = [a.json() for a in answers if a.status_code == 409]
    assert all(r["type"].endswith("/scan_refused") for r in refusals), refusals
    assert hubside.state(parcel) == "at_hub"


def test_a_client_event_id_reused_for_another_scan_is_refused_naming_it(
    hubside: Hubside,
) -> None:
    hub = hubside.hub("Camden")
    first, other = hubside.parcel(), hubside.parcel()
    path = f"/v1/hubs/{hub['id']}/scans"
    body = factories.scan_payload(first["barcode"])
    assert hubside.ops.post(path, json=body).status_code == 201

    for reuse in (
        body | {"barcode": other["barcode"]},
        body | {"kind": "sort", "target": {"bay": "B1"}},
    ):
        answer = hubside.ops.post(path, json=reuse)
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        problem = answer.json()
        assert problem["type"].endswith("/client_event_id_reused")
        assert [e["field"] for e in problem["errors"]] == ["client_event_id"]
    assert hubside.ops.post(path, json=body).status_code == 201  # a true repeat still replays
    assert (hubside.state(first), hubside.state(other)) == ("at_hub", "created")


def test_a_parcel_of_another_hub_is_refused_in_words_and_listed_as_an_exception(
    hubside: Hubside,
) -> None:
    camden, islington = hubside.hub("Camden"), hubside.hub("Islington")
    parcel = hubside.parcel(hub_id=camden["id"])
    barcode = parcel["barcode"]

    wrong = hubside.ops.post(
        f"/v1/hubs/{islington['id']}/scans", json=factories.scan_payload(barcode)
    )

    assert wrong.status_code == 409, wrong.text
    problem = wrong.json()
    assert problem["type"].endswith("/wrong_hub")
    assert problem["detail"].startswith(
        f"Parcel {barcode} belongs to hub Camden; this is hub Islington."
    )
    assert hubside.state(parcel) == "created"
    [exception] = hubside.ops.get(f"/v1/hubs/{islington['id']}/exceptions").json()["items"]
    assert (exception["barcode"], exception["outcome"]) == (barcode, "wrong_hub")
    right = hubside.ops.post(f"/v1/hubs/{camden['id']}/scans", json=factories.scan_payload(barcode))
    assert right.status_code == 201 and hubside.state(parcel) == "at_hub"
