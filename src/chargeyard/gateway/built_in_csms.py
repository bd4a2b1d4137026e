"""Which ``ws_url`` of a simulated charger names this deployment's own central system.

A central system knows a station by the identity in its WebSocket URL alone (OCPP-J 1.6
section 3.1.1, OCPP 2.0.1 part 4 section 3.1.1), so a simulated charger that dials the built-in
one can only be told apart from another organization's by being registered there, in its own
organization, before it connects. The gateway does that when it stores the charger
(``store/repositories/chargers.py``), and refuses one whose identity is another organization's
station there. What it needs to know is whether a URL reaches the built-in listener:

* the URL the API gives stations (``ApiSettings.ocpp_url``, a charger's ``connectionUrl``
  without its chargeBoxId), scheme, host, port and path alike (a trailing slash aside, as the
  station appends one before its identity);
* where that URL is a proxy's (``CHARGEYARD_API_OCPP_URL``), also the URL of the listener the
  process runs behind it (``ApiSettings.listener_url``): a charger may dial either;
* when that URL names this machine (a loopback address, ``localhost``, or the wildcard address
  a listener bound to every interface is shown with), any of those names with the same scheme,
  port and path: ``ws://localhost:9000/ocpp`` dials the same listener as
  ``ws://127.0.0.1:9000/ocpp``.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

_DEFAULT_PORTS = {"ws": 80, "wss": 443}
_THIS_MACHINE = "this machine"
"""The host of an endpoint that names this machine, whatever it was spelt."""

Endpoint = tuple[str, str, int, str]
"""(scheme, host, port, path) of a central system's URL."""


def endpoint(url: str | None) -> Endpoint | None:
    """The endpoint ``url`` dials, or None when it is not a ws:// or wss:// URL."""
    if url is None:
        return None
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:  # a port out of range, a broken IPv6 literal
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    host = _THIS_MACHINE if _names_this_machine(parts.hostname) else parts.hostname.lower()
    return scheme, host, port or _DEFAULT_PORTS[scheme], parts.path.rstrip("/")


def _names_this_machine(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


@dataclass(frozen=True, slots=True)
class BuiltInCsms:
    """The built-in central system's endpoints (see the module docstring)."""

    endpoints: frozenset[Endpoint]

    @classmethod
    def of(cls, *urls: str) -> BuiltInCsms:
        """The central system that ``urls`` (its listener's, as stations reach it) name."""
        return cls(frozenset(e for e in map(endpoint, urls) if e is not None))

    def serves(self, csms_url: str | None) -> bool:
        """Whether a charger pointed at ``csms_url`` dials the built-in central system."""
        return endpoint(csms_url) in self.endpoints
