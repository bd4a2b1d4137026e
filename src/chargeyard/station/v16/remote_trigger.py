"""Remote Trigger profile (OCPP 1.6 section 5.17): TriggerMessage."""

from __future__ import annotations

from chargeyard.station.v16.base import StationV16Base


class RemoteTriggerV16(StationV16Base):
    """To be filled: see the module docstring."""
