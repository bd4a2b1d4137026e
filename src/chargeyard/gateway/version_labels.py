"""How the gateway API writes a charger's OCPP version, from any spelling of one a simulated
station speaks (``station/versions.py``)."""

from __future__ import annotations

from chargeyard.station.versions import fleet_version


def command_version_label(version: str) -> str:
    """As a queued command shows it: ``ocpp1.6`` (the API reference's QueuedCommandResponse).

    Raises:
        UnknownVersion: no simulated station speaks it (a ValueError).
    """
    return fleet_version(version).subprotocol


def runtime_version_label(version: str) -> str:
    """As a runtime answer shows it: ``OCPP1.6`` (the API reference's stop-charger example).

    Raises:
        UnknownVersion: no simulated station speaks it (a ValueError).
    """
    return fleet_version(version).subprotocol.upper()
