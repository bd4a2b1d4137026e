"""OCPP 2.0.1 diagnostics (functional block N): GetLog (N01) and its LogStatusNotifications.

Theory of operation
-------------------
GetLog is answered at once with the name of the file (N01.FR.01); after the answer the file is
made and uploaded to ``log.remoteLocation`` through the station's
:class:`~chargeyard.station.io.StationIO`, tried ``1 + retries`` times ``retryInterval``
seconds apart (:func:`~chargeyard.station.maintenance.retry_policy`). LogStatusNotification
reports Uploading when it starts (N01.FR.08), then Uploaded (N01.FR.09) or UploadFailure
(N01.FR.10), each with the GetLog's requestId (N01.FR.07). A newer GetLog cancels the upload
under way (N01.FR.11): the answer says AcceptedCanceled and the cancelled upload ends with
LogStatusNotification AcceptedCanceled under its own requestId. A reboot abandons an upload.
TriggerMessage (``control.py``) reports ``log_status``: Uploading with its requestId while an
upload runs, else Idle without one (N01.FR.12).

"The format of the log file is not prescribed" (N01): ours is text, ``<identity>-<logType>-<UTC
time>.log``, made by :meth:`DiagnosticsV201.log_file`:

* DiagnosticsLog (N01.FR.04): the station's identity, template, firmware, registration,
  firmware and log statuses, its connectors, running transactions and device model, then its
  log (``SimulatedStation.frame_log``), the last frames it sent and received and the events it
  noted, limited to oldestTimestamp..latestTimestamp;
* SecurityLog (N01.FR.03): the security events it kept (N01.FR.05, part 2 "Security events":
  StartupOfTheDevice at each power-on, ResetOrReboot, FirmwareUpdated), limited likewise.

The critical ones among them (part 2 appendix, "Security events": :data:`CRITICAL_EVENTS`) also
go to the CSMS in SecurityEventNotification (A04.FR.01), one at a time, each kept until the CSMS
confirmed it (A04.FR.02, ``station/unsent_events.py``): those of a reboot or of an offline
period go once the station is Accepted or back online.

A window that cannot hold anything (latestTimestamp before oldestTimestamp) means no log
information is available: Rejected, without a filename.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime
from typing import TYPE_CHECKING

from chargeyard.protocol import on
from chargeyard.protocol.messages import v201
from chargeyard.station.blocks import Block
from chargeyard.station.clock import iso
from chargeyard.station.io import Retrying
from chargeyard.station.maintenance import (
    file_safe,
    optional_time,
    retry_policy,
    when,
    without_credentials,
)
from chargeyard.station.model.states import STATUS_201
from chargeyard.station.unsent_events import UnsentEvents
from chargeyard.station.v201.device_model import Component, Variable

if TYPE_CHECKING:
    from chargeyard.station.v201 import StationV201

_UPLOAD_RETRY = "log:retry"

RESET_BOOT_REASONS = frozenset(
    {
        "ApplicationReset",
        "FirmwareUpdate",
        "LocalReset",
        "RemoteReset",
        "ScheduledReset",
        "Watchdog",
    }
)
"""The BootReasonEnumType values of a reset or reboot the station makes itself (not PowerUp,
Triggered or Unknown): those that log ResetOrReboot as the station goes down."""

CRITICAL_EVENTS = frozenset(
    {
        "FirmwareUpdated",
        "SettingSystemTime",
        "StartupOfTheDevice",
        "ResetOrReboot",
        "SecurityLogWasCleared",
        "MemoryExhaustion",
        "TamperDetectionActivated",
        "InvalidFirmwareSignature",
        "InvalidFirmwareSigningCertificate",
        "InvalidCsmsCertificate",
        "InvalidChargingStationCertificate",
        "InvalidTLSVersion",
        "InvalidTLSCipherSuite",
        "MaintenanceLoginAccepted",
        "MaintenanceLoginFailed",
    }
)
"""The security events part 2's appendix marks critical: the CSMS is told of each
(A04.FR.01)."""


class _Upload:
    """One GetLog under way."""

    def __init__(self, request_id: int) -> None:
        self.request_id = request_id
        self.transfer: Retrying[None] | None = None


class DiagnosticsV201(Block["StationV201"]):
    """GetLog; see the module docstring."""

    __slots__ = ("_security_log", "_unsent", "_upload")

    security_log_size: int = 64  # security events kept

    def __init__(self, station: StationV201) -> None:
        super().__init__(station)
        self._upload: _Upload | None = None
        self._security_log: deque[tuple[datetime, str, str | None]] = deque(
            maxlen=self.security_log_size
        )
        # Critical events the CSMS has not confirmed yet (A04.FR.02).
        self._unsent = UnsentEvents(self.security_log_size)
        self.security_event("StartupOfTheDevice")  # the station's hooks are not built yet

    # -- N01 ---------------------------------------------------------------------------------------

    @on("GetLog")
    def get_log(self, payload: v201.GetLogRequest) -> v201.GetLogResponse:
        window = payload["log"]
        oldest = optional_time(window.get("oldestTimestamp"))
        latest = optional_time(window.get("latestTimestamp"))
        if oldest is not None and latest is not None and latest < oldest:
            return {"status": "Rejected"}  # no log information can be in that window
        log_type: str = payload["logType"]
        request_id: int = payload["requestId"]
        location: str = window["remoteLocation"]
        attempts, interval_s = retry_policy(payload)
        now = self.station.clock.now()
        filename = f"{file_safe(self.station.identity)[:180]}-{log_type}-{now:%Y%m%dT%H%M%SZ}.log"
        replaced = self._upload
        upload = _Upload(request_id)

        def start() -> None:
            if replaced is not None:
                self._cancel_upload()  # N01.FR.11
            content = self.log_file(log_type, oldest, latest)
            self._upload = upload
            self._log_step("Uploading", request_id)  # N01.FR.08
            self.station.note(f"log: uploading {filename} to {without_credentials(location)}")
            upload.transfer = Retrying(
                self.station.timers,
                self.station.clock,
                _UPLOAD_RETRY,
                attempts=attempts,
                interval_s=interval_s,
                attempt=lambda ok, fail: self.station.io.upload(
                    location, filename, content, lambda: ok(None), fail
                ),
                on_done=lambda _: self._upload_ended(upload, "Uploaded", "uploaded"),
                on_failed=lambda reason: self._upload_ended(upload, "UploadFailure", reason),
                on_retry=lambda tries, reason: self.station.note(
                    f"log: upload attempt {tries} of {attempts} failed: {reason}"
                ),
            )
            upload.transfer.start()

        self.station.after_answer(start)
        status: v201.LogStatusEnumType = "Accepted" if replaced is None else "AcceptedCanceled"
        return {"status": status, "filename": filename}

    def _upload_ended(
        self, upload: _Upload, status: v201.UploadLogStatusEnumType, detail: str
    ) -> None:
        if self._upload is not upload:
            return
        self._upload = None
        self.station.note(f"log: {detail}")
        self._log_step(status, upload.request_id)  # N01.FR.09, N01.FR.10
        self.station.log_status, self.station.log_request_id = "Idle", None  # N01.FR.12

    def _cancel_upload(self) -> None:
        upload, self._upload = self._upload, None
        if upload is None:
            return
        if upload.transfer is not None:
            upload.transfer.cancel()
        self.station.note(f"log: upload {upload.request_id} cancelled")
        self._log_step("AcceptedCanceled", upload.request_id)
        self.station.log_status, self.station.log_request_id = "Idle", None

    def _log_step(self, status: v201.UploadLogStatusEnumType, request_id: int) -> None:
        self.station.log_status, self.station.log_request_id = status, request_id
        notification: v201.LogStatusNotificationRequest = {
            "status": status,
            "requestId": request_id,
        }
        self.station.call("LogStatusNotification", notification)

    # -- the files ---------------------------------------------------------------------------------

    def log_file(
        self, log_type: str, oldest: datetime | None = None, latest: datetime | None = None
    ) -> bytes:
        """The file a GetLog of ``log_type`` uploads (see the module docstring)."""
        if log_type == "SecurityLog":
            lines = [*self._header("security log", oldest, latest), "", "[security events]"]
            for at, kind, info in self._security_log:
                if (oldest is None or at >= oldest) and (latest is None or at <= latest):
                    lines.append(f"{iso(at)} {kind}" + (f" {info}" if info else ""))
        else:
            lines = [*self._header("diagnostics", oldest, latest), *self._state_lines()]
            lines += ["", *self.station.frame_log.section(oldest, latest)]
        return ("\n".join(lines) + "\n").encode()

    def _header(self, title: str, oldest: datetime | None, latest: datetime | None) -> list[str]:
        template = self.station.template
        return [
            f"chargeyard {title} (OCPP 2.0.1)",
            f"station: {self.station.identity}",
            f"generated: {iso(self.station.clock.now())}",
            f"period: {when(oldest)} .. {when(latest)}",
            f"template: {template.id} ({template.vendor} {template.model})",
            f"firmware: {self.station.model.firmware_version}",
            f"serial number: {self.station.serial_number or '-'}",
        ]

    def _state_lines(self) -> list[str]:
        station = self.station
        lines = [
            f"registration: {station.registration.value};"
            f" heartbeat every {station.heartbeat_interval} s",
            f"firmware status: {station.firmware_status}; log status: {station.log_status}",
            "",
            "[connectors]",
            f"station: {'Operative' if self.station.station_operative else 'Inoperative'}",
        ]
        for connector in self.station.model.connectors():
            lines.append(
                f"EVSE {connector.evse_id} connector {connector.connector_id}:"
                f" {STATUS_201[connector.status]} ({connector.status.value}), {connector.type}"
                f"{', cable plugged' if connector.cable_plugged else ''}"
            )
        lines += ["", "[transactions]"]
        for transaction in self.station.model.transactions():
            lines.append(
                f"EVSE {transaction.evse_id}: transaction {transaction.local_id}"
                f" ({transaction.phase.value}),"
                f" idToken {transaction.id_token.value if transaction.id_token else '-'},"
                f" started {iso(transaction.started_at)},"
                f" meter start {transaction.meter_start_wh:.0f} Wh"
            )
        lines += ["", "[device model]"]
        for component, variable in self.station.device_model.items():
            if variable.mutability == "WriteOnly":
                continue  # a password, say: never written out
            where = "".join(
                f"[{part}]" for part in (component.evse, component.connector) if part is not None
            )
            name = variable.name + (f".{variable.instance}" if variable.instance else "")
            lines.append(f"{component.name}{where}.{name} = {variable.read()}")
        return lines

    # -- security events, reboots ------------------------------------------------------------------

    def security_event(self, kind: str, tech_info: str | None = None) -> None:
        """Keep a security event in the security log (N01.FR.05) and note it; a critical one
        goes to the CSMS too (A04.FR.01)."""
        self._keep(kind, tech_info)
        self.notify_security_events()

    def variable_changed(self, component: Component, variable: Variable) -> None:
        """A new BasicAuthPassword goes in the security log, without its value (A01.FR.11,
        A01.FR.12)."""
        if (component.name, variable.name) == ("SecurityCtrlr", "BasicAuthPassword"):
            self.station.security_event(
                "ReconfigurationOfSecurityParameters", "BasicAuthPassword changed"
            )

    def _keep(self, kind: str, tech_info: str | None) -> None:
        now = self.station.clock.now()
        self._security_log.append((now, kind, tech_info))
        self.station.note(f"security event: {kind}" + (f" ({tech_info})" if tech_info else ""))
        if kind in CRITICAL_EVENTS:
            self._unsent.keep(kind, now, tech_info)

    def notify_security_events(self) -> None:
        """Send the oldest critical event the CSMS has not confirmed, then the next once it
        has (A04.FR.02); nothing while the station may not send (offline, not Accepted)."""
        self._unsent.send(self.station)

    def on_going_down(self) -> None:
        upload, self._upload = self._upload, None  # the upload stops with the power
        if upload is not None and upload.transfer is not None:
            upload.transfer.cancel()
        self.station.log_status, self.station.log_request_id = "Idle", None
        # A reset or reboot the station makes (part 2 "Security events": ResetOrReboot), kept
        # as it happens with why (the reason its next BootNotification gives: B11, B12, L01)
        # and told once it is back (A04.FR.02). Power going, for a while (a power cut or
        # cycle) or for good (a switch-off), is none: the station cannot log it, and its next
        # power-on logs StartupOfTheDevice.
        reason = self.station.boot_reason
        if self.station.restarting and reason in RESET_BOOT_REASONS:
            self._keep("ResetOrReboot", f"boot reason {reason}")

    def on_power_on(self) -> None:
        self.station.security_event("StartupOfTheDevice")
