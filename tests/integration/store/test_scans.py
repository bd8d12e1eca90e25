"""Hub scans: stored once per (hub, client_event_id), exceptions listed for people."""

from __future__ import annotations

from datetime import timedelta

import pytest

from doorstep.domain import ids
from doorstep.domain.model import Hub
from doorstep.domain.scan import HubScan, ScanKind, ScanOutcome, ScanTarget
from doorstep.services.ports import Conflict
from tests import factories
from tests.integration.store.conftest import SYSTEM, Seeded, UowFactory

T0 = factories.MORNING


def _scan(hub: Hub, client_event_id: str, **overrides: object) -> HubScan:
    fields: dict[str, object] = {
        "id": ids.new_id("scn"),
        "hub_id": hub.id,
        "client_event_id": client_event_id,
        "barcode": "DS000000000000",
        "kind": ScanKind.SORT,
        "target": ScanTarget(bay="B4", route_id="rte_1", vehicle_id="veh_1"),
        "scanned_at": T0,
        "recorded_at": T0 + timedelta(seconds=2),
        "actor": "usr_hub",
        "outcome": ScanOutcome.UNKNOWN_BARCODE,
        "message": "Unknown barcode DS000000000000: put it in the exceptions cage.",
    }
    return HubScan(**(fields | overrides))  # type: ignore[arg-type]


@pytest.fixture
def hub(uow_factory: UowFactory) -> Hub:
    hub = factories.hub()
    with uow_factory(SYSTEM) as uow:
        uow.hubs.add(hub)
        uow.commit()
    return hub


def test_scan_round_trips_with_its_parcel(
    uow_factory: UowFactory, seeded: Seeded, hub: Hub
) -> None:
    parcel = seeded.order.parcels[0]
    scan = _scan(
        hub,
        "dev1-0001",
        barcode=parcel.barcode,
        kind=ScanKind.RECEIVE,
        outcome=ScanOutcome.ACCEPTED,
        parcel_id=parcel.id,
        parcel_state="at_hub",
    )
    with uow_factory(SYSTEM) as uow:
        uow.scans.add(scan)
        uow.commit()
    with uow_factory(SYSTEM) as uow:
        assert uow.scans.get(hub.id, "dev1-0001") == scan
        assert uow.scans.get(hub.id, "dev1-0002") is None


def test_the_same_client_event_twice_at_one_hub_is_a_conflict(
    uow_factory: UowFactory, hub: Hub
) -> None:
    with uow_factory(SYSTEM) as uow:
        uow.scans.add(_scan(hub, "dev1-0007"))
        uow.commit()
    other_hub = factories.hub(name="Park Royal Hub")
    with uow_factory(SYSTEM) as uow:
        with pytest.raises(Conflict, match="client_event_id"):
            uow.scans.add(_scan(hub, "dev1-0007"))
        uow.hubs.add(other_hub)
        uow.scans.add(_scan(other_hub, "dev1-0007"))  # another hub's device may reuse it
        uow.commit()


def test_exceptions_list_holds_refused_and_unknown_scans_newest_first(
    uow_factory: UowFactory, hub: Hub
) -> None:
    accepted = _scan(hub, "a", outcome=ScanOutcome.ACCEPTED)
    refused = _scan(hub, "b", outcome=ScanOutcome.REFUSED, recorded_at=T0 + timedelta(minutes=1))
    unknown = _scan(hub, "c", recorded_at=T0 + timedelta(minutes=2))
    with uow_factory(SYSTEM) as uow:
        for scan in (accepted, refused, unknown):
            uow.scans.add(scan)
        uow.commit()
    with uow_factory(SYSTEM) as uow:
        listed = uow.scans.list_exceptions(hub.id)
        first = uow.scans.list_exceptions(hub.id, limit=1)
    assert [s.client_event_id for s in listed] == ["c", "b"]
    assert [s.client_event_id for s in first] == ["c"]


def test_brand_sees_scans_of_its_own_parcels_only(
    uow_factory: UowFactory, seeded: Seeded, hub: Hub
) -> None:
    own, foreign = seeded.order.parcels[0], seeded.other_order.parcels[0]
    with uow_factory(SYSTEM) as uow:
        uow.scans.add(_scan(hub, "own", barcode=own.barcode, parcel_id=own.id))
        uow.scans.add(_scan(hub, "foreign", barcode=foreign.barcode, parcel_id=foreign.id))
        uow.scans.add(_scan(hub, "unknown"))
        uow.commit()
    with uow_factory(seeded.brand_principal) as uow:
        assert uow.scans.get(hub.id, "own") is not None
        assert uow.scans.get(hub.id, "foreign") is None
        assert [s.client_event_id for s in uow.scans.list_exceptions(hub.id)] == ["own"]
