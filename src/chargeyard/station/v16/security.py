"""What a 1.6 station has of the OCPP 1.6 security whitepaper (edition 3) without TLS or
certificates: its security log and GetLog (N01), and the AuthorizationKey, the password of
security profile 1, which the central system may change (A01).

Theory of operation
-------------------
The station keeps its security events (whitepaper section 8: its boots, its password changed,
A01.FR.11) in a short log of its own, never with the key itself (A01.FR.12). Those of a signed
firmware update (``signed_firmware.py``) and of the station's own certificate
(``own_certificate.py``) also go to the central system in SecurityEventNotification.req
(:meth:`SecurityV16.notify`): the extension's L01.FR.02 and L01.FR.03 ask for
InvalidFirmwareSigningCertificate and InvalidFirmwareSignature, A02 for
InvalidChargePointCertificate, and FirmwareUpdated, InvalidCentralSystemCertificate and
InvalidTLSVersion (a TLS handshake the station refused, sections 2.4 and 8) are critical events
(section 8's table); the others stay in the log. A critical event waits in a queue until the
central system confirmed it, as 2.0.1's A04.FR.02 asks (``station/unsent_events.py``), so one
that happens offline (a refused handshake always does) goes once the station is Accepted or
back online.

GetLog (N01) is answered at once, Accepted with the file's name (AcceptedCanceled when it
replaces an upload under way, N01.FR.11); after the answer the file is uploaded to the location
given, as GetDiagnostics uploads (``station.io``, tried ``1 + retries`` times), with a
LogStatusNotification Uploading, then Uploaded or UploadFailure, each with the request's
requestId (N01.FR.07 to 10). A SecurityLog is the security log between oldestTimestamp and
latestTimestamp; a DiagnosticsLog is the diagnostics file (``firmware.py``).

A new AuthorizationKey (16 to 20 bytes as hexadecimal digits, whitepaper 7.2; the key is
write-only: GetConfiguration never tells it) is the station's password from the Accepted answer
on: the station closes its connection and connects again with it (A01 steps 3 and 4).
"""

from __future__ import annotations

from collections import deque
from datetime import datetime
from typing import TYPE_CHECKING

from chargeyard.protocol import on
from chargeyard.protocol.messages import v16
from chargeyard.station.blocks import Block
from chargeyard.station.clock import iso
from chargeyard.station.io import Retrying
from chargeyard.station.maintenance import (
    file_safe,
    optional_time,
    retry_policy,
    without_credentials,
)
from chargeyard.station.unsent_events import UnsentEvents

if TYPE_CHECKING:
    from chargeyard.station.v16 import StationV16

AUTHORIZATION_KEY = "AuthorizationKey"
SECURITY_LOG_SIZE = 200
_UPLOAD_RETRY = "security-log:retry"


class SecurityV16(Block["StationV16"]):
    """The security log, GetLog and the AuthorizationKey; see the module docstring."""

    __slots__ = ("_events", "_unsent", "_upload")

    def __init__(self, station: StationV16) -> None:
        super().__init__(station)
        # Made with the first event: most stations of a fleet never have one, and an empty
        # deque costs each of them most of a kilobyte.
        self._events: deque[tuple[datetime, str, str]] | None = None
        self._upload: Retrying[None] | None = None
        self._unsent = UnsentEvents(SECURITY_LOG_SIZE)  # critical, not confirmed yet

    def record(self, event: str, detail: str = "") -> None:
        """A security event (whitepaper section 8), into the security log."""
        if self._events is None:
            self._events = deque(maxlen=SECURITY_LOG_SIZE)
        self._events.append((self.station.clock.now(), event, detail))

    def notify(self, event: str, detail: str = "") -> None:
        """A critical security event (whitepaper section 8, e.g. InvalidChargePointCertificate):
        into the security log, and to the central system in SecurityEventNotification, now or
        once the station is online again (see the module docstring)."""
        self.record(event, detail)
        self._unsent.keep(event, self.station.clock.now(), detail)
        self.send_unsent()

    def send_unsent(self) -> None:
        """Send the critical events the central system has not confirmed, oldest first."""
        self._unsent.send(self.station)

    # -- the station's life -------------------------------------------------------------------

    def power_on(self) -> None:
        self.record("StartupOfTheDevice", "the station booted")

    def going_down(self) -> None:
        """An upload stops with the power."""
        upload, self._upload = self._upload, None
        if upload is not None:
            upload.cancel()

    def configuration_changed(self, key: str, value: str) -> None:
        """A01: the new AuthorizationKey is the password of every connection from now on,
        beginning with the next, which starts at once (after the answer)."""
        if key != AUTHORIZATION_KEY:
            return
        self.station.password = value
        self.record("ReconfigurationOfSecurityParameters", "AuthorizationKey changed")
        self.station.soon(self.station.redial)  # once the answer is out

    # -- GetLog (N01) -------------------------------------------------------------------------

    @on("GetLog")
    def get_log(self, payload: v16.GetLogRequest) -> v16.GetLogResponse:
        log = payload["log"]
        request_id: int = payload["requestId"]
        security = payload["logType"] == "SecurityLog"
        replaced = self._upload is not None
        self.going_down()
        now = self.station.clock.now()
        kind = "security" if security else "diagnostics"
        file_name = f"{file_safe(self.station.identity)[:200]}-{kind}-{now:%Y%m%dT%H%M%SZ}.log"
        start = optional_time(log.get("oldestTimestamp"))
        stop = optional_time(log.get("latestTimestamp"))
        location = log["remoteLocation"]
        attempts, interval_s = retry_policy(payload)

        def upload() -> None:
            if security:
                content = self.security_file(start, stop)
            else:
                content = self.station.firmware.diagnostics_file(start, stop)
            self._notify("Uploading", request_id)
            self.station.note(f"log: uploading {file_name} to {without_credentials(location)}")
            self._upload = Retrying(
                self.station.timers,
                self.station.clock,
                _UPLOAD_RETRY,
                attempts=attempts,
                interval_s=interval_s,
                attempt=lambda ok, fail: self.station.io.upload(
                    location, file_name, content, lambda: ok(None), fail
                ),
                on_done=lambda _: self._ended("Uploaded", request_id, "uploaded"),
                on_failed=lambda reason: self._ended("UploadFailure", request_id, reason),
            )
            self._upload.start()

        self.station.after_answer(upload)
        return {"status": "AcceptedCanceled" if replaced else "Accepted", "filename": file_name}

    def _ended(self, status: v16.UploadLogStatusEnumType, request_id: int, detail: str) -> None:
        self._upload = None
        self.station.note(f"log: {detail}")
        self._notify(status, request_id)

    def _notify(self, status: v16.UploadLogStatusEnumType, request_id: int) -> None:
        notification: v16.LogStatusNotificationRequest = {"status": status, "requestId": request_id}
        self.station.call("LogStatusNotification", notification)

    def security_file(self, start: datetime | None = None, stop: datetime | None = None) -> bytes:
        """The security log between ``start`` and ``stop``: one event a line."""
        lines = [f"chargeyard security log (OCPP 1.6): {self.station.identity}"]
        lines += [
            f"{iso(at)} {event} {detail}".rstrip()
            for at, event, detail in self._events or ()
            if (start is None or at >= start) and (stop is None or at <= stop)
        ]
        return ("\n".join(lines) + "\n").encode()
