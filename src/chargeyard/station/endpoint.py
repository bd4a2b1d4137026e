"""Where a station's next connection attempt goes, when the station rather than its runner
decides: an OCPP 2.0.1 network connection profile (B09) chosen by NetworkConfigurationPriority
(B10). The runner dials what :meth:`~chargeyard.station.core.SimulatedStation.endpoint`
returns, or its own URL and credentials when that is None (every 1.6 station, and a 2.0.1
station on the connection it was started with)."""

from __future__ import annotations

from dataclasses import dataclass

from websockets.uri import WebSocketURI, parse_uri

from chargeyard.station.identities import station_url


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A central system's URL for this station, and how to present itself there.

    Attributes:
        url: the WebSocket URL, the station's identity its last path segment (OCPP-J, 2.0.1
            part 4 section 3.1.1).
        uri: ``url`` parsed, for the dial and the opening handshake.
        security_profile: 0 sends no credentials; 1 and 2 send HTTP Basic credentials, the
            identity and the station's password (2.0.1 part 2 A00.FR.301), 2 over TLS; 3
            authenticates with the station's client certificate over TLS (A00.FR.401).
    """

    url: str
    uri: WebSocketURI
    security_profile: int

    @classmethod
    def of(cls, csms_url: str, identity: str, security_profile: int) -> Endpoint:
        """The endpoint of a profile's ``ocppCsmsUrl`` for ``identity``.

        Raises:
            InvalidURI: the URL is not a ws:// or wss:// URL.
        """
        url = station_url(csms_url, identity)
        return cls(url, parse_uri(url), security_profile)

    @property
    def credentials(self) -> bool:
        """Whether the opening handshake carries HTTP Basic credentials (profiles 1 and 2)."""
        return 1 <= self.security_profile <= 2
