"""Failed TLS handshakes, reported once per source with their reason, then at most once every
:data:`LOG_EVERY_S` per source with how many more failed.

A station that cannot complete the TLS handshake never reaches the WebSocket, so nothing else
would say why it is not connecting: it offers only TLS 1.1 (A00.FR.313), it does not trust the
listener's certificate (A00.FR.308), it presents no client certificate or one that does not
chain to the client CA at security profile 3 (A00.FR.403, 407), it speaks ``ws://`` to a
``wss://`` port. Such a station retries for ever, and so may a scanner, so the log gets one line
per source (``peers.py``) when it starts failing, and from then on one line per
:data:`LOG_EVERY_S` at most, counting what was not written. A connection closed without sending
anything (a load balancer's TCP health check) is written at DEBUG only.
"""

from __future__ import annotations

import logging
import ssl
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from chargeyard.csms.peers import address_of, source_of

logger = logging.getLogger(__name__)

LOG_EVERY_S = 600.0
MAX_SOURCES = 10_000

# OpenSSL's reasons, as a person setting up a station would say them.
_REASONS = {
    "UNSUPPORTED_PROTOCOL": "it offers no TLS version the listener accepts (1.2 or above)",
    "NO_SHARED_CIPHER": "it offers none of the listener's cipher suites (A00.FR.318)",
    "NO_SUITABLE_SIGNATURE_ALGORITHM": "it accepts no signature the listener's key can make",
    "PEER_DID_NOT_RETURN_A_CERTIFICATE": "it presented no client certificate (profile 3)",
    "CERTIFICATE_VERIFY_FAILED": "its client certificate does not chain to --tls-client-ca",
    "TLSV1_ALERT_UNKNOWN_CA": "it does not trust the listener's certificate (unknown CA)",
    "SSLV3_ALERT_BAD_CERTIFICATE": "it refused the listener's certificate",
    "SSLV3_ALERT_CERTIFICATE_UNKNOWN": "it refused the listener's certificate",
    "TLSV1_ALERT_PROTOCOL_VERSION": "it refused the TLS version",
    "HTTP_REQUEST": "it spoke plain HTTP (ws://) to the wss:// listener",
    "WRONG_VERSION_NUMBER": "what it sent is not TLS",
    "PACKET_LENGTH_TOO_LONG": "what it sent is not TLS",
}


@dataclass(frozen=True, slots=True)
class Failure:
    """Why a handshake failed, and how loud to say it."""

    reason: str
    level: int = logging.WARNING


def describe(error: BaseException) -> Failure:
    """The :class:`Failure` a handshake that raised ``error`` is reported as."""
    if isinstance(error, ssl.SSLCertVerificationError):
        return Failure(f"its client certificate was not accepted: {error.verify_message}")
    if isinstance(error, ssl.SSLError) and error.reason:
        said = _REASONS.get(error.reason, error.reason.lower().replace("_", " "))
        return Failure(f"{said} ({error.reason})")
    if isinstance(error, TimeoutError | ConnectionAbortedError):
        return Failure("the TLS handshake did not complete in time")
    if isinstance(error, ConnectionError | ssl.SSLEOFError):
        return Failure("it closed the connection during the TLS handshake", logging.INFO)
    return Failure(f"{type(error).__name__}: {error}")


@dataclass(slots=True)
class _Source:
    logged_at: float
    unlogged: int = 0


class HandshakeFailures:
    """The log of failed handshakes (module docstring).

    Args:
        clock: seconds, monotonic; injected by tests.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._sources: OrderedDict[str, _Source] = OrderedDict()
        self.count = 0
        """Failed handshakes so far, written or not."""

    def failed(self, peername: object, failure: Failure) -> None:
        """A handshake from ``peername`` (the transport's) failed."""
        self.count += 1
        source, address = source_of(peername), address_of(peername)
        if failure.level < logging.INFO:
            logger.log(failure.level, "TLS connection from %s: %s", address, failure.reason)
            return
        now = self._clock()
        seen = self._sources.get(source)
        if seen is not None and now - seen.logged_at < LOG_EVERY_S:
            seen.unlogged += 1
            logger.debug("TLS handshake from %s failed: %s", address, failure.reason)
            return
        more = ""
        if seen is not None and seen.unlogged:
            minutes = round((now - seen.logged_at) / 60)
            more = f" ({seen.unlogged} more from {source} in the {minutes} min before)"
        self._sources[source] = _Source(now)
        self._sources.move_to_end(source)
        while len(self._sources) > MAX_SOURCES:
            self._sources.popitem(last=False)
        logger.log(
            failure.level, "TLS handshake from %s failed: %s%s", address, failure.reason, more
        )
