"""What a central system node knows of a station it holds, so that the station's boot need not
read it back from the store.

The node that holds a station's WebSocket is the only writer of these facts while the station
is connected: they change only through the station's own messages on that connection (its
OCPP version as it connects, its vendor and model as it boots, its transactions as it starts
them). So the row read when the handshake was checked, kept current by the connection, answers
the questions a boot asks (``layout.py``: is this other hardware? ``orphans.py``: can a
transaction be left open?) without a query each.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chargeyard.protocol import VersionSpec
from chargeyard.store.station_lookup import ConnectingStation


@dataclass(slots=True)
class KnownStation:
    """The station as its connection knows it.

    Attributes:
        organization_id: the organization it belongs to (None: registered as it connects,
            in the listener's admission organization).
        ocpp_version: the version it last connected with (None: never connected).
        vendor, model: what it last booted as (None: never booted).
        open_transactions: whether it may have a transaction open: it had one when it
            connected, or has started one since (True when unsure).
        registration_status: its last BootNotification answer (None: never booted).
        registration: the registration an operator set for it, and ``pending_calls`` the
            calls made while that is Pending, as read at the handshake; the connection's
            first boot answers by them, so a boot storm asks nothing more of the store. An
            operator may change them later through another node, so every later boot on the
            connection reads them again (``registration_read`` is False once used).
    """

    ocpp_version: VersionSpec | None = None
    vendor: str | None = None
    model: str | None = None
    open_transactions: bool = True
    organization_id: str | None = None
    registration_status: str | None = None
    registration: str | None = None
    pending_calls: tuple[dict[str, Any], ...] | None = None
    registration_read: bool = False

    @classmethod
    def of(cls, station: ConnectingStation) -> KnownStation:
        return cls(
            station.ocpp_version,
            station.vendor,
            station.model,
            station.open_transactions,
            station.organization_id,
            station.registration_status,
            station.registration,
            station.pending_calls,
            registration_read=True,
        )

    def take_registration(
        self,
    ) -> tuple[str | None, tuple[dict[str, Any], ...] | None] | None:
        """The registration read at the handshake, once (None: not read, or used already)."""
        if not self.registration_read:
            return None
        self.registration_read = False
        return self.registration, self.pending_calls

    @classmethod
    def new(cls, organization_id: str | None = None) -> KnownStation:
        """A station registered as it connects, in ``organization_id`` (None: the listener's
        admission organization): nothing stored of it yet."""
        return cls(open_transactions=False, organization_id=organization_id, registration_read=True)
