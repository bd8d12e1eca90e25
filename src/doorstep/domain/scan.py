"""Hub scans: what a hub worker's scanner reports, and what became of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from doorstep.domain.errors import WrongHub, WrongVehicle
from doorstep.domain.events import (
    DomainEvent,
    RefusedScan,
    drain,
    scan_refused,
    scan_unknown_barcode,
)
from doorstep.domain.model import Hub
from doorstep.domain.parcel import ParcelAction


class ScanKind(StrEnum):
    RECEIVE = "receive"
    SORT = "sort"
    LOAD = "load"
    UNLOAD = "unload"

    @property
    def action(self) -> ParcelAction:
        return ParcelAction(self.value)


class ScanOutcome(StrEnum):
    ACCEPTED = "accepted"
    REFUSED = "refused"  # the state machine said no; the parcel is unchanged
    UNKNOWN_BARCODE = "unknown_barcode"  # recorded as an exception for a person to resolve
    WRONG_HUB = "wrong_hub"  # the parcel's order is pinned to another hub; it is unchanged

    @property
    def refusal(self) -> bool:
        """A known parcel's scan turned down: announced as ``scan.refused``."""
        return self in {ScanOutcome.REFUSED, ScanOutcome.WRONG_HUB}


def is_mis_sort(outcome: ScanOutcome, kind: ScanKind) -> bool:
    """A refusal a person must put right: a parcel at the wrong hub, or loaded onto the
    wrong van. Other refusals (a parcel scanned in twice) only tell the scanner no."""
    return outcome is ScanOutcome.WRONG_HUB or (
        outcome is ScanOutcome.REFUSED and kind is ScanKind.LOAD
    )


@dataclass(frozen=True, slots=True)
class ScanTarget:
    bay: str | None = None
    route_id: str | None = None
    vehicle_id: str | None = None


@dataclass(frozen=True, slots=True)
class HubScan:
    """One scan as stored: idempotent by (hub_id, client_event_id).

    A new scan is made with :meth:`create`, so that an unknown barcode records its
    ``scan.unknown_barcode`` event and a refused parcel its ``scan.refused``; the store
    rebuilds stored scans with the constructor.
    """

    id: str
    hub_id: str
    client_event_id: str
    barcode: str
    kind: ScanKind
    target: ScanTarget
    scanned_at: datetime
    recorded_at: datetime
    actor: str
    outcome: ScanOutcome
    message: str
    parcel_id: str | None = None
    parcel_state: str | None = None
    # Outbox events not yet stored; not part of what the scan is.
    new_events: list[DomainEvent] = field(default_factory=list, compare=False, repr=False)

    @classmethod
    def create(
        cls,
        *,
        id: str,
        hub_id: str,
        client_event_id: str,
        barcode: str,
        kind: ScanKind,
        target: ScanTarget,
        scanned_at: datetime,
        recorded_at: datetime,
        actor: str,
        outcome: ScanOutcome,
        message: str,
        parcel_id: str | None = None,
        parcel_state: str | None = None,
    ) -> HubScan:
        """A new scan; an unknown barcode and a refused parcel are announced as events."""
        scan = cls(
            id=id,
            hub_id=hub_id,
            client_event_id=client_event_id,
            barcode=barcode,
            kind=kind,
            target=target,
            scanned_at=scanned_at,
            recorded_at=recorded_at,
            actor=actor,
            outcome=outcome,
            message=message,
            parcel_id=parcel_id,
            parcel_state=parcel_state,
        )
        if outcome.refusal and parcel_id is not None:
            refused = RefusedScan(
                scan_id=id,
                hub_id=hub_id,
                parcel_id=parcel_id,
                barcode=barcode,
                kind=kind.value,
                reason=outcome.value,
                message=message,
                scanned_at=scanned_at,
            )
            scan.new_events.append(scan_refused(refused, at=recorded_at))
        if outcome is ScanOutcome.UNKNOWN_BARCODE:
            scan.new_events.append(
                scan_unknown_barcode(
                    scan_id=id,
                    hub_id=hub_id,
                    barcode=barcode,
                    kind=kind.value,
                    scanned_at=scanned_at,
                    at=recorded_at,
                )
            )
        return scan

    def collect_events(self) -> list[DomainEvent]:
        return drain(self.new_events)


def check_hub(barcode: str, home: Hub | None, here: Hub) -> None:
    """Refuse any scan of a parcel pinned to another hub: it must travel there, not on.

    A parcel whose order names no hub may be handled at any hub.
    """
    if home is not None and home.id != here.id:
        raise WrongHub(barcode, home.name, here.name)


@dataclass(frozen=True, slots=True)
class RouteLeg:
    """Where a parcel on a dispatched route rides: what a sort or load scan answers.

    ``load_position`` counts from 1: the last stop's parcels go in first, so the first
    stop's come out of the door first.
    """

    route_id: str
    vehicle_id: str
    vehicle_name: str
    stop_id: str
    load_position: int | None
    load_count: int


def check_load(
    barcode: str,
    leg: RouteLeg,
    *,
    vehicle_id: str,
    route_id: str | None,
    sorted_for: str | None = None,
) -> None:
    """Refuse loading a parcel of one route onto another route's vehicle.

    ``route_id`` is the route the scanner loads (named by the scanner, or the open route
    of the vehicle it names); ``sorted_for`` the vehicle the parcel was last sorted for.
    A parcel on no route is not checked here.
    """
    if vehicle_id == leg.vehicle_id and route_id in (None, leg.route_id):
        if sorted_for not in (None, leg.vehicle_id):
            # Sorted before the route was dispatched (or changed): the route decides now.
            raise WrongVehicle(
                barcode,
                sorted_for,
                vehicle_id,
                message=(
                    f"Parcel {barcode} was sorted for another vehicle; its route "
                    f"{leg.route_id} goes on van {leg.vehicle_name}. Scan a sort again, "
                    "then load it."
                ),
            )
        return
    raise WrongVehicle.of_route(
        barcode,
        route_id=leg.route_id,
        vehicle_id=leg.vehicle_id,
        vehicle_name=leg.vehicle_name,
        scanned_vehicle_id=vehicle_id,
        scanned_route_id=route_id,
    )
