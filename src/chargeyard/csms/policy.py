"""How the central system answers a station's BootNotification (OCPP 1.6 section 4.2,
OCPP 2.0.1 use cases B01-B03), and the authorization policies an id tag may carry."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

# An id tag's ``policy``: with ``single-session`` the tag may be in one active transaction at a
# time; a start while it is in one is answered ConcurrentTx (``StationContext.authorize``).
# Without a policy a tag may charge at several stations at once.
TagPolicy = Literal["single-session"]
SINGLE_SESSION: TagPolicy = "single-session"


class BootStatus(StrEnum):
    """RegistrationStatus, the BootNotification answer (OCPP 1.6 section 7.38, OCPP 2.0.1
    RegistrationStatusEnumType): the choices of ``chargeyard csms --boot-status``."""

    ACCEPTED = "Accepted"
    PENDING = "Pending"
    REJECTED = "Rejected"


@dataclass(frozen=True, slots=True)
class BootPolicy:
    """Accepted, Pending or Rejected, and the interval the station must honour: the heartbeat
    interval when Accepted, the retry interval otherwise (seconds)."""

    status: str = "Accepted"
    interval: int = 300
