"""Why a station could not connect, in the words a user acts on (connection refused, a DNS
failure, TLS, the HTTP status of a refused handshake), and how its log tells a run of failed
attempts: the first at INFO, the next ones at DEBUG, and a summary at INFO every
:data:`SUMMARY_INTERVAL_S` while the run lasts.

Why not a line per attempt: a station pointed at a central system that is down retries every
minute or so for ever (OCPP 2.0.1 B04: with back-off, ``reconnection.py``); a fleet of them
filled a log with the same line. A change of reason (the CSMS came up but refuses the password)
is told at once.
"""

from __future__ import annotations

import logging
import socket
import ssl
import time
from collections.abc import Callable

from websockets.exceptions import InvalidHandshake

from chargeyard.fleet.handshake import UpgradeRefused
from chargeyard.outbound import HostNotFound, OutboundRefused

logger = logging.getLogger(__name__)

SUMMARY_INTERVAL_S = 300.0
"""Seconds between two summaries of one station's run of failed attempts."""

# What the central system meant by refusing the upgrade, where the status says more than its
# number (OCPP-J 1.6 section 3.1, OCPP 2.0.1 part 4 section 3.1: an unknown identity or path is
# 404, failed Basic authentication 401).
_STATUS_HINTS = {
    400: "no OCPP version in common, or a malformed request",
    401: "credentials refused",
    403: "forbidden",
    404: "unknown station or path",
}


def failure_reason(error: BaseException) -> str:
    """Why a connection attempt failed, in a few words (the same words for every station that
    failed the same way, so that a fleet's reasons can be counted)."""
    if isinstance(error, OutboundRefused):
        return "address not allowed by the outbound networks"
    if isinstance(error, HostNotFound):
        return f"DNS failure: {error}"
    if isinstance(error, socket.gaierror):
        return f"DNS failure: {error.strerror or error}"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, ssl.SSLCertVerificationError):
        return f"TLS failure: {error.verify_message}"
    if isinstance(error, ssl.SSLError):
        # OpenSSL's reason ("WRONG_VERSION_NUMBER": the server does not speak TLS there).
        reason = error.reason
        return f"TLS failure: {reason.replace('_', ' ').lower() if reason else error}"
    if isinstance(error, UpgradeRefused):
        hint = _STATUS_HINTS.get(error.status)
        return f"HTTP {error.status} at the handshake" + (f" ({hint})" if hint else "")
    if isinstance(error, InvalidHandshake):
        return f"WebSocket handshake failed: {error}"
    if isinstance(error, TimeoutError):
        return "timed out"
    if isinstance(error, ConnectionResetError):
        return "connection reset"
    if isinstance(error, ConnectionError) and str(error):
        return str(error)
    if isinstance(error, OSError) and error.strerror:
        return error.strerror[:1].lower() + error.strerror[1:]
    return f"{type(error).__name__}: {error}"


class FailedAttempts:
    """One station's run of failed connection attempts (from the first to the connection
    that opens), told by the log as the module docstring says.

    Args:
        identity: the station's, for the log lines.
        url: where it dials.
        clock: monotonic seconds; injected by tests.
        interval: seconds between two summaries.
    """

    __slots__ = ("_clock", "_interval", "attempts", "identity", "reason", "since", "told_at", "url")

    def __init__(
        self,
        identity: str,
        url: str,
        clock: Callable[[], float] = time.monotonic,
        interval: float = SUMMARY_INTERVAL_S,
    ) -> None:
        self.identity = identity
        self.url = url
        self._clock = clock
        self._interval = interval
        self.attempts = 0
        self.reason: str | None = None  # the last attempt's
        self.since = self.told_at = clock()

    def failed(self, reason: str, detail: str) -> None:
        """One more failed attempt, ``reason`` from :func:`failure_reason`, ``detail`` the
        error itself."""
        self.attempts += 1
        now = self._clock()
        changed, self.reason = reason != self.reason, reason
        if self.attempts == 1 or changed:
            logger.info(
                "%s: cannot connect to %s: %s (%s); trying again with back-off, a summary"
                " every %.0f min",
                self.identity,
                self.url,
                reason,
                detail,
                self._interval / 60,
            )
        elif now - self.told_at >= self._interval:
            logger.info(
                "%s: still cannot connect to %s: %d failed attempts in %.0f min, the last: %s",
                self.identity,
                self.url,
                self.attempts,
                (now - self.since) / 60,
                reason,
            )
        else:
            logger.debug("%s: cannot connect to %s: %s", self.identity, self.url, detail)
            return
        self.told_at = now


__all__ = ["SUMMARY_INTERVAL_S", "FailedAttempts", "failure_reason"]
