"""Firmware Management profile (OCPP 1.6 sections 5.9 and 5.19): UpdateFirmware and
GetDiagnostics."""

from __future__ import annotations

from chargeyard.station.v16.base import StationV16Base


class FirmwareManagementV16(StationV16Base):
    """To be filled: see the module docstring."""
