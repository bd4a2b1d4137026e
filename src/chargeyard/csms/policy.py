"""How the central system answers a station's BootNotification (OCPP 1.6 section 4.2,
OCPP 2.0.1 use cases B01-B03)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class BootPolicy:
    """Accepted, Pending or Rejected, and the interval the station must honour: the heartbeat
    interval when Accepted, the retry interval otherwise (seconds)."""

    status: str = "Accepted"
    interval: int = 300
