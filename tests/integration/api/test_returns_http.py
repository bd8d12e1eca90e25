"""The delivery-policy and returns routes over real HTTP (SQLite and PostgreSQL): who may do
what (admin, dispatcher, courier, the brand's own key, another brand's key, nobody), and
bad input answered with problem+json naming the field."""

from __future__ import annotations

import httpx
import pytest

from doorstep.domain.model import Role
from tests.integration.live_server import LiveApi

POLICY = {
    "attempts_allowed": 2,
    "reattempt": "customer_day",
    "hold_at_hub_days": 5,
    "after_last_attempt": "hold_at_hub",
}


class Callers:
    def __init__(self, api: LiveApi) -> None:
        self.brand_id, key = api.create_brand("Own Brand")
        _, other_key = api.create_brand("Other Brand")
        self.admin = api.client(api.create_operator(Role.ADMIN))
        self.dispatcher = api.client(api.create_operator(Role.DISPATCHER))
        made = self.admin.post("/v1/couriers", json={"name": "Kit", "phone": "+447700900123"})
        assert made.status_code == 201, made.text
        courier_id = made.json()["id"]
        self.courier = api.client(api.create_operator(Role.COURIER, courier_id=courier_id))
        self.own = api.client(key)
        self.other = api.client(other_key)
        self.nobody = api.client()


@pytest.fixture
def who(live_api: LiveApi) -> Callers:
    return Callers(live_api)


def _problem(answer: httpx.Response, status: int) -> dict[str, object]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    return dict(answer.json())


def test_operators_set_a_policy_and_the_brand_reads_its_own(who: Callers) -> None:
    path = f"/v1/brands/{who.brand_id}/delivery-policy"
    assert who.own.get(path).json()["attempts_allowed"] == 3  # the defaults
    answer = who.dispatcher.put(path, json=POLICY)
    assert answer.status_code == 200, answer.text
    for reader in (who.admin, who.dispatcher, who.own):
        assert who.admin.get(path).json() == {"brand_id": who.brand_id, **POLICY}
        assert reader.get(path).status_code == 200
    _problem(who.other.get(path), 404)
    _problem(who.courier.get(path), 403)
    _problem(who.nobody.get(path), 401)
    for refused, status in (
        (who.own, 403),
        (who.other, 403),
        (who.courier, 403),
        (who.nobody, 401),
    ):
        _problem(refused.put(path, json=POLICY), status)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (POLICY | {"attempts_allowed": 9}, "attempts_allowed"),
        (POLICY | {"attempts_allowed": "3"}, "attempts_allowed"),
        (POLICY | {"reattempt": "whenever"}, "reattempt"),
        (POLICY | {"after_last_attempt": "burn\u0000it"}, "after_last_attempt"),
        (POLICY | {"hold_at_hub_days": 0}, "hold_at_hub_days"),
        (POLICY | {"colour": "red"}, "colour"),
    ],
)
def test_a_bad_policy_is_refused_naming_the_field(
    who: Callers, body: dict[str, object], field: str
) -> None:
    problem = _problem(who.admin.put(f"/v1/brands/{who.brand_id}/delivery-policy", json=body), 422)
    assert field in [e["field"] for e in problem["errors"]], problem  # type: ignore[attr-defined]


def test_an_unknown_brand_is_not_found(who: Callers) -> None:
    _problem(who.admin.get("/v1/brands/brd_nope/delivery-policy"), 404)
    _problem(who.admin.put("/v1/brands/nonsense/delivery-policy", json=POLICY), 404)


def test_the_returns_manifest_is_for_operators_and_the_brand_itself(who: Callers) -> None:
    query = {"brand_id": who.brand_id, "date": "2026-11-25"}
    for path in ("/v1/returns", "/v1/returns/manifest.csv", "/v1/returns/manifest.pdf"):
        assert who.dispatcher.get(path, params=query).status_code == 200
        assert who.own.get(path, params=query).status_code == 200
        _problem(who.other.get(path, params=query), 404)
        _problem(who.courier.get(path, params=query), 403)
        _problem(who.nobody.get(path, params=query), 401)
        _problem(who.admin.get(path, params=query | {"date": "25/11/2026"}), 422)
    csv = who.admin.get("/v1/returns/manifest.csv", params=query)
    assert csv.content.startswith("\ufeffbarcode,parcel_id".encode())
    assert who.admin.get("/v1/returns/manifest.pdf", params=query).content.startswith(b"%PDF")
    assert who.admin.get("/v1/returns", params=query).json()["items"] == []


def test_only_operators_record_a_handover_and_labels(who: Callers) -> None:
    body = {"brand_id": who.brand_id, "parcels": ["DSK-NONE"]}
    problem = _problem(who.dispatcher.post("/v1/returns/handover", json=body), 422)
    assert problem["errors"][0]["field"] == "parcels"  # type: ignore[index]
    for refused, status in ((who.own, 403), (who.courier, 403), (who.nobody, 401)):
        _problem(refused.post("/v1/returns/handover", json=body), status)
        _problem(refused.get("/v1/returns/par_nope/label"), status)
    _problem(who.dispatcher.post("/v1/returns/handover", json=body | {"parcels": []}), 422)
    _problem(who.dispatcher.get("/v1/returns/par_nope/label"), 404)
