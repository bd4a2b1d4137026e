"""Smart Charging profile (OCPP 1.6 sections 3.13, 5.5, 5.7, 5.16): charging profiles and
composite schedules."""

from __future__ import annotations

from chargeyard.station.v16.base import StationV16Base


class SmartChargingV16(StationV16Base):
    """To be filled: see the module docstring."""
