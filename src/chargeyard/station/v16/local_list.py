"""Local Auth List Management profile (OCPP 1.6 section 3.5, 5.10, 5.15)."""

from __future__ import annotations

from chargeyard.station.v16.base import StationV16Base


class LocalAuthListV16(StationV16Base):
    """To be filled: see the module docstring."""
