"""``scan.refused`` and ``plan.finished`` are the office's: they carry no brand, name no
orders, and no webhook endpoint may choose them, so the fan-out never sends them."""

from __future__ import annotations

from datetime import date

import pytest

from doorstep.domain.errors import InvalidValue
from doorstep.domain.events import (
    PAYLOAD_FIELDS,
    DomainEvent,
    EventName,
    RefusedScan,
    plan_finished,
    scan_refused,
)
from doorstep.domain.webhooks import BRAND_EVENTS, brands_of, check_event_types
from tests.factories import MORNING

REFUSED = scan_refused(
    RefusedScan(
        scan_id="scn_1",
        hub_id="hub_1",
        parcel_id="par_1",
        barcode="DS0000000001",
        kind="load",
        reason="refused",
        message="Wrong van.",
        scanned_at=MORNING,
    ),
    at=MORNING,
)
FINISHED = plan_finished(
    plan_id="pln_1",
    hub_id="hub_1",
    plan_date=date(2025, 3, 14),
    status="succeeded",
    unassigned={"unroutable_address": 1},
    unroutable_stop_ids=["s3"],
    at=MORNING,
)


@pytest.mark.parametrize("event", [REFUSED, FINISHED], ids=lambda e: e.name)
def test_an_office_event_has_no_brand_and_no_endpoint_may_choose_it(event: DomainEvent) -> None:
    assert event.brand_id is None and "order_ids" not in event.payload
    assert tuple(event.payload) == PAYLOAD_FIELDS[EventName(event.name)]
    assert event.name not in BRAND_EVENTS
    assert brands_of(event, {"ord_1": "brd_1"}) == set()
    with pytest.raises(InvalidValue) as refused:
        check_event_types(["order.created", event.name])
    assert refused.value.field == "event_types[1]"
