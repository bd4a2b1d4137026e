"""How the gateway writes a charger's OCPP version in a runtime report, which crosses the bus
as JSON (``runtime_service.py``) before the API shows it."""

from __future__ import annotations

from chargeyard.protocol import VersionSpec


def runtime_version_label(version: VersionSpec) -> str:
    """As a runtime answer shows it: ``OCPP1.6`` (the API reference's stop-charger example)."""
    return version.subprotocol.upper()
