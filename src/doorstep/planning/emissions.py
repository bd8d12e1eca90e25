"""Default CO2e per kilometre by vehicle type, for route and KPI reporting.

Source: UK Government GHG Conversion Factors for Company Reporting (DESNZ, formerly
BEIS/DEFRA), 2024 set, "Delivery vehicles" and "UK electricity for EVs" tables, rounded:

* diesel van, Class III (1.74-3.5 t), average laden: about 0.25 kg CO2e/km (tailpipe only;
  add the well-to-tank table if you report scope 3);
* battery-electric van, Class III: about 0.07 kg CO2e/km (UK grid electricity to charge it,
  generation plus transmission losses);
* e-cargo bike: no DESNZ row; about 2 kWh per 100 km at the UK grid factor (~0.21 kg/kWh)
  gives about 0.004 kg CO2e/km;
* on foot: 0.

The figures are rounded and were not re-checked against the published spreadsheet when
this module was written (it could not be downloaded here): verify them against the year
you report on. They are defaults to override per vehicle (``PlanningVehicle.co2_kg_per_km``)
with the current year's published factors or the operator's own fleet data.
"""

from __future__ import annotations

from doorstep.domain.model import VehicleType

DIESEL_VAN_CLASS_III_KG_PER_KM = 0.25
ELECTRIC_VAN_CLASS_III_KG_PER_KM = 0.07
E_CARGO_BIKE_KG_PER_KM = 0.004
ON_FOOT_KG_PER_KM = 0.0

DEFAULT_CO2_KG_PER_KM: dict[VehicleType, float] = {
    VehicleType.VAN: DIESEL_VAN_CLASS_III_KG_PER_KM,
    VehicleType.E_CARGO_BIKE: E_CARGO_BIKE_KG_PER_KM,
    VehicleType.ON_FOOT: ON_FOOT_KG_PER_KM,
}


def co2_kg(distance_m: int, vehicle_type: VehicleType, override: float | None = None) -> float:
    """Kilograms of CO2e for a distance driven by a vehicle of this type."""
    factor = DEFAULT_CO2_KG_PER_KM[vehicle_type] if override is None else override
    return distance_m / 1000.0 * factor
