"""The security profile a station dials with (OCPP 2.0.1 part 2 A00; 1.6 security whitepaper
section 2), and what it presents at each: HTTP Basic credentials in the opening handshake at
profiles 1 and 2, and on a ``wss://`` URL the TLS context of ``station/tls.py``, which trusts
the CSMS roots installed in the station and at profile 3 presents its client certificate.

``connector.py`` asks these once per attempt, for the runtime's URL or for the
:class:`~chargeyard.station.endpoint.Endpoint` the station named (B10).
"""

from __future__ import annotations

import base64
import ssl
from typing import TYPE_CHECKING

from chargeyard.station.tls import presenting_context
from chargeyard.trust_store import system_trust

if TYPE_CHECKING:
    from chargeyard.station.core import SimulatedStation
    from chargeyard.station.endpoint import Endpoint

_CERTIFIED = 3  # security profile 3: the station's client certificate over TLS


def security_profile(secure: bool, password: bool, certificate: bool) -> int:
    """The security profile a runner's URL and credentials make (2.0.1 part 2 A00; 1.6
    security whitepaper section 2): 3 a client certificate over TLS, 2 a password over TLS,
    1 a password without TLS, else 0."""
    if secure and certificate:
        return 3
    if password:
        return 2 if secure else 1
    return 0


def basic_authorization(station: SimulatedStation, endpoint: Endpoint | None) -> str | None:
    """The ``Authorization`` header of an opening handshake to the runner's URL (``endpoint``
    None) or to ``endpoint``; None when the station sends no credentials there."""
    password = station.password
    # Profiles 1 and 2; at 3 the client certificate is the credential (A00.FR.401).
    if password is not None and (
        endpoint.credentials if endpoint is not None else station.security_profile != _CERTIFIED
    ):
        # Security profile 1: the identity is the user. RFC 7617 forbids ":" in it, but a
        # CSMS splits at the first one, so it is sent as it is.
        credentials = f"{station.identity}:{password}".encode()
        return "Basic " + base64.b64encode(credentials).decode()
    return None


def tls_context(station: SimulatedStation, endpoint: Endpoint | None) -> ssl.SSLContext:
    """The context of a ``wss://`` attempt: the station's CSMS roots, and its client
    certificate at security profile 3 (``tls.py``); the system trust store, shared by the
    process (``trust_store.py``), when it has neither."""
    roots = station.csms_roots()
    profile = station.security_profile if endpoint is None else endpoint.security_profile
    client = station.presented_certificate() if profile == _CERTIFIED else None
    if not roots and client is None:
        return system_trust()
    return presenting_context(roots, client)
