"""Core profile requests besides transactions (OCPP 1.6 sections 3.1 and 5): configuration,
reset, availability, cache, data transfer, unlock; faults and going offline."""

from __future__ import annotations

from chargeyard.station.v16.base import StationV16Base


class CoreProfileV16(StationV16Base):
    """To be filled: see the module docstring."""
