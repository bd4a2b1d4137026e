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
    """

    ocpp_version: str | None = None
    vendor: str | None = None
    model: str | None = None
    open_transactions: bool = True
    organization_id: str | None = None
    registration_status: str | None = None

    @classmethod
    def of(cls, station: ConnectingStation) -> KnownStation:
        return cls(
            station.ocpp_version,
            station.vendor,
            station.model,
            station.open_transactions,
            station.organization_id,
            station.registration_status,
        )

    @classmethod
    def new(cls, organization_id: str | None = None) -> KnownStation:
        """A station registered as it connects, in ``organization_id`` (None: the listener's
        admission organization): nothing stored of it yet."""
        return cls(open_transactions=False, organization_id=organization_id)
