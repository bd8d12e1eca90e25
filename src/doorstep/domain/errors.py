"""Domain errors: each says what went wrong in words a hub worker or a brand understands."""

from __future__ import annotations

from collections.abc import Iterable


class DomainError(Exception):
    """Base of every rule the model refuses to break."""

    code = "domain_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidTransition(DomainError):
    """A parcel was asked to do something its current state does not allow."""

    code = "invalid_transition"

    def __init__(self, barcode: str, current: str, action: str, allowed: Iterable[str]) -> None:
        self.current = current
        self.action = action
        self.allowed = sorted(allowed)
        allowed_text = ", ".join(self.allowed) if self.allowed else "nothing (final state)"
        super().__init__(
            f"Parcel {barcode} is {current.replace('_', ' ')}: cannot {action}. "
            f"Allowed now: {allowed_text}."
        )


class WrongVehicle(DomainError):
    """A parcel sorted for one vehicle was scanned onto another."""

    code = "wrong_vehicle"

    def __init__(
        self, barcode: str, expected: str, scanned: str, *, message: str | None = None
    ) -> None:
        self.expected = expected
        self.scanned = scanned
        super().__init__(
            message
            or (
                f"Wrong vehicle: parcel {barcode} belongs on {expected}, not {scanned}. "
                "Take it off and load it onto the right vehicle."
            )
        )

    @classmethod
    def of_route(
        cls,
        barcode: str,
        *,
        route_id: str,
        vehicle_id: str,
        vehicle_name: str,
        scanned_vehicle_id: str,
        scanned_route_id: str | None,
    ) -> WrongVehicle:
        """The parcel rides on a dispatched route, and this vehicle is not that route's."""
        here = f"route {scanned_route_id}" if scanned_route_id else f"vehicle {scanned_vehicle_id}"
        return cls(
            barcode,
            vehicle_id,
            scanned_vehicle_id,
            message=(
                f"Parcel {barcode} belongs to route {route_id}, van {vehicle_name}; "
                f"this is {here}. Take it off and load it onto {vehicle_name}."
            ),
        )


class WrongHub(DomainError):
    """A parcel whose order is pinned to one hub was scanned at another."""

    code = "wrong_hub"

    def __init__(self, barcode: str, home: str, here: str) -> None:
        self.home = home
        self.here = here
        super().__init__(
            f"Parcel {barcode} belongs to hub {home}; this is hub {here}. "
            f"Put it aside to go to {home}."
        )


class InvalidValue(DomainError):
    """A value object was given a value that cannot be true (negative weight, reversed window)."""

    code = "invalid_value"

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"{field}: {reason}")


class RouteRefused(DomainError):
    """A route or one of its stops cannot do this now (not started, already done, moved)."""

    code = "route_refused"


class RouteNotLoaded(RouteRefused):
    """A route asked to start while some of its parcels are still in the hub."""

    code = "route_not_loaded"

    def __init__(self, route_id: str, barcodes: Iterable[str]) -> None:
        self.barcodes = sorted(barcodes)
        shown = ", ".join(self.barcodes[:10]) + (" and more" if len(self.barcodes) > 10 else "")
        super().__init__(
            f"Route {route_id} cannot start: {len(self.barcodes)} parcel(s) not loaded "
            f"({shown}). Load them, or ask the dispatcher to remove their stops."
        )
