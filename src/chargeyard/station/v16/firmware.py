"""Firmware Management profile (OCPP 1.6 sections 5.9 and 5.19): GetDiagnostics and
UpdateFirmware, with the status notifications they send (sections 4.4 and 4.5).

Theory of operation
-------------------
Both requests are answered at once; the work follows on the station's timers and its
:class:`~chargeyard.station.io.StationIO` (``self.station.io``), which reports back later. Each
transfer is tried ``1 + retries`` times, ``retryInterval`` seconds apart
(:class:`~chargeyard.station.io.Retrying`); without those fields :data:`DEFAULT_RETRIES` and
:data:`DEFAULT_RETRY_INTERVAL_S`. (1.6 describes ``retries`` as "how many times Charge Point
must try"; 2.0.1 L01/N01 say "retry", and a first try always happens, so 0 means one try.)

UpdateFirmware (5.19) runs on the station's firmware update machine
(``station/firmware_update.py``, shared with the signed update and 2.0.1) in the words of
:data:`WORDS_16`, the statuses of :data:`FIRMWARE_MOVES`, each sent in
FirmwareStatusNotification.req::

    retrieveDate (a timer; at once when past) -> Downloading -> download, with retries
      -> DownloadFailed
      -> Downloaded -> [a transaction runs: wait; idle connectors Unavailable]
         -> Installing -> firmware_install_s later, the image is checked:
            -> InstallationFailed
            -> firmwareVersion := the image's; reboot -> BootNotification (new version)
               -> Accepted -> Installed

* 5.19: "If it is not possible to continue charging during installation of firmware, it is
  RECOMMENDED to wait until Charging Session has ended (Charge Point idle) before commencing
  installation. It is RECOMMENDED to set connectors that are not in use to UNAVAILABLE while
  the Charge Point waits for the Session to end." Both are done (:data:`RULES_16`, which the
  signed update follows too).
* 5.19 calls it good practice "to first reboot the Charge Point to check the new firmware is
  booting and able to connect to the Central System, before sending the status: Installed":
  Installed is sent once, after the Accepted BootNotification that carries the new version.
* A newer UpdateFirmware replaces one under way (1.6 has no way to refuse it). A reboot that is
  not the installation's (a Reset, a power cut) interrupts the update: it starts over after the
  next Accepted boot, as a charger that keeps its pending update across a power cycle.

GetDiagnostics (5.9): the answer names the file, ``<identity>-diagnostics-<UTC time>.log``; then
Uploading -> upload, with retries -> Uploaded | UploadFailed (then Idle), :data:`DIAGNOSTICS_MOVES`.
"Format of the diagnostics file is not prescribed" (5.9): ours is text, made by
:meth:`FirmwareManagementV16.diagnostics_file`: the station's identity, template, firmware,
statuses, running transactions and configuration, then its log (``SimulatedStation.frame_log``),
the last ``log_size`` OCPP frames it sent and received and the transfer events, limited to
startTime..stopTime. Only a window that cannot hold anything (stopTime before startTime) is
answered without a fileName (5.9: "If no diagnostics file is available, then
GetDiagnostics.conf SHALL NOT contain a file name"). A newer GetDiagnostics replaces the upload
under way; a reboot abandons it.

``firmware_status`` / ``diagnostics_status`` are what TriggerMessage (5.17) must report: the
step under way, and Idle once nothing is, for 4.4 and 4.5 allow Idle only "when it is not busy".
Idle is never sent unprompted.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, get_args

from chargeyard.protocol import on
from chargeyard.protocol.messages import is_one_of, v16
from chargeyard.station.blocks import Block
from chargeyard.station.clock import iso
from chargeyard.station.firmware_update import FirmwareWords, InstallRules, Update
from chargeyard.station.io import Retrying
from chargeyard.station.maintenance import (
    check_status_move,
    file_safe,
    optional_time,
    parse_time,
    retry_policy,
    when,
    without_credentials,
)
from chargeyard.station.model.states import ConnectorStatus

if TYPE_CHECKING:
    from chargeyard.station.v16 import StationV16

__all__ = [
    "DIAGNOSTICS_MOVES",
    "FIRMWARE_MOVES",
    "RULES_16",
    "WORDS_16",
    "FirmwareManagementV16",
]

# Sections 4.5 and 4.4: the statuses, in the order a transfer reports them. An update starts
# from Idle; once it ends or is abandoned (replaced by a newer one, cut by a reboot)
# TriggerMessage reports Idle again (``WORDS_16.idle_when_done``). An upload goes back to Idle
# from wherever it is.
FIRMWARE_MOVES: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "Idle": frozenset({"Downloading"}),
        "Downloading": frozenset({"Downloaded", "DownloadFailed"}),
        "Downloaded": frozenset({"Installing"}),
        "Installing": frozenset({"Installed", "InstallationFailed"}),
        "DownloadFailed": frozenset(),
        "InstallationFailed": frozenset(),
        "Installed": frozenset(),
    }
)
DIAGNOSTICS_MOVES: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "Idle": frozenset({"Uploading"}),
        "Uploading": frozenset({"Uploaded", "UploadFailed", "Idle"}),
        "Uploaded": frozenset({"Idle"}),
        "UploadFailed": frozenset({"Idle"}),
    }
)

_FIRMWARE_STATUSES: frozenset[v16.FirmwareStatusNotificationRequestStatus] = frozenset(
    get_args(v16.FirmwareStatusNotificationRequestStatus)
)


def firmware_status_notification(
    status: str, request_id: int | None = None
) -> v16.FirmwareStatusNotificationRequest:
    """FirmwareStatusNotification.req (section 6.29; it has no requestId).

    Raises:
        ValueError: no status of its; every one of :data:`FIRMWARE_MOVES` is (a test says so).
    """
    if not is_one_of(status, _FIRMWARE_STATUSES):
        raise ValueError(f"FirmwareStatusNotification has no status {status!r}")
    return {"status": status}


WORDS_16 = FirmwareWords(
    machine="firmware status",
    moves=FIRMWARE_MOVES,
    notification="FirmwareStatusNotification",
    message=firmware_status_notification,
    reported=True,  # TriggerMessage FirmwareStatusNotification (5.17)
    idle_when_done=True,  # 4.5: Idle "when it is not busy"
    security_log=False,  # the Core profile's update keeps none
)
"""Section 5.19's update, in the words of section 4.5."""

RULES_16: InstallRules[StationV16] = InstallRules(
    # 5.19: the connectors not in use Unavailable while the transactions run; not one made
    # Inoperative meanwhile is made Available again (section 5.2).
    may_hold=lambda evse, connector: connector.status is ConnectorStatus.AVAILABLE,
    may_release=lambda station, connector: connector.operative,
    hold_until_reboot=False,
    waiting_status=None,
    # Besides looking again when a transaction ends, at least this often.
    poll_s=60,
)
"""How a 1.6 station waits for its transactions before installing (5.19), signed or not."""

_UPLOAD_RETRY = "diagnostics:retry"


class FirmwareManagementV16(Block["StationV16"]):
    """UpdateFirmware and GetDiagnostics; see the module docstring.

    The station keeps its log (``frame_log``); its firmware update machine
    (``firmware_update.py``) runs the update; this block answers, uploads the diagnostics
    and reports their statuses.
    """

    __slots__ = ("_upload",)

    def __init__(self, station: StationV16) -> None:
        super().__init__(station)
        self._upload: Retrying[None] | None = None

    # -- UpdateFirmware (5.19) ------------------------------------------------------------------

    @on("UpdateFirmware")
    def update_firmware(self, payload: v16.UpdateFirmwareRequest) -> v16.UpdateFirmwareResponse:
        attempts, interval_s = retry_policy(payload)
        retrieve_at = parse_time(payload["retrieveDate"])
        # A newer request replaces the one under way, a signed one too: the station runs one
        # firmware update at a time.
        update = Update(WORDS_16, payload["location"], retrieve_at, attempts, interval_s)
        self.station.firmware_update.begin(update)
        return {}

    # -- GetDiagnostics (5.9) -------------------------------------------------------------------

    @on("GetDiagnostics")
    def get_diagnostics(self, payload: v16.GetDiagnosticsRequest) -> v16.GetDiagnosticsResponse:
        start = optional_time(payload.get("startTime"))
        stop = optional_time(payload.get("stopTime"))
        if start is not None and stop is not None and stop < start:
            return {}  # nothing can be in that window: no file (5.9)
        self._abandon_upload()
        now = self.station.clock.now()
        file_name = f"{file_safe(self.station.identity)[:200]}-diagnostics-{now:%Y%m%dT%H%M%SZ}.log"
        location = payload["location"]
        attempts, interval_s = retry_policy(payload)

        def upload() -> None:
            content = self.diagnostics_file(start, stop)
            self._diagnostics_step("Uploading")
            shown = without_credentials(location)
            self.station.note(f"diagnostics: uploading {file_name} to {shown}")
            self._upload = Retrying(
                self.station.timers,
                self.station.clock,
                _UPLOAD_RETRY,
                attempts=attempts,
                interval_s=interval_s,
                attempt=lambda ok, fail: self.station.io.upload(
                    location, file_name, content, lambda: ok(None), fail
                ),
                on_done=lambda _: self._upload_ended("Uploaded", "uploaded"),
                on_failed=lambda reason: self._upload_ended("UploadFailed", reason),
                on_retry=lambda tries, reason: self.station.note(
                    f"diagnostics: upload attempt {tries} of {attempts} failed: {reason}"
                ),
            )
            self._upload.start()

        self.station.after_answer(upload)
        return {"fileName": file_name}

    def _upload_ended(
        self, status: v16.DiagnosticsStatusNotificationRequestStatus, detail: str
    ) -> None:
        self._upload = None
        self.station.note(f"diagnostics: {detail}")
        self._diagnostics_step(status)
        self._diagnostics_step("Idle")

    def _abandon_upload(self) -> None:
        upload, self._upload = self._upload, None
        if upload is not None:
            upload.cancel()
        if self.station.diagnostics_status != "Idle":
            self._diagnostics_step("Idle")

    def _diagnostics_step(self, status: v16.DiagnosticsStatusNotificationRequestStatus) -> None:
        station = self.station
        moves = DIAGNOSTICS_MOVES
        check_status_move("diagnostics status", moves, station.diagnostics_status, status)
        station.diagnostics_status = status
        if status != "Idle":  # 4.4: Idle only in answer to TriggerMessage
            notification: v16.DiagnosticsStatusNotificationRequest = {"status": status}
            self.station.call("DiagnosticsStatusNotification", notification)

    def diagnostics_file(
        self, start: datetime | None = None, stop: datetime | None = None
    ) -> bytes:
        """The diagnostics file: the station now, then its log between ``start`` and ``stop``."""
        station = self.station
        template = station.template
        lines = [
            "chargeyard diagnostics (OCPP 1.6)",
            f"station: {station.identity}",
            f"generated: {iso(station.clock.now())}",
            f"period: {when(start)} .. {when(stop)}",
            f"template: {template.id} ({template.vendor} {template.model})",
            f"firmware: {station.model.firmware_version}",
            f"serial number: {station.serial_number or '-'}",
            f"registration: {station.registration.value};"
            f" heartbeat every {station.heartbeat_interval} s",
            f"firmware status: {station.firmware_status}",
            "",
            "[connectors]",
            f"0: {station.station_status.value}",
        ]
        for connector in station.model.connectors():
            line = (
                f"{connector.number_16}: {connector.status.value}, {connector.error_code}"
                f" (EVSE {connector.evse_id} connector {connector.connector_id}, {connector.type}"
                f"{', cable plugged' if connector.cable_plugged else ''})"
            )
            lines.append(line + (f" {connector.error_info}" if connector.error_info else ""))
        lines += ["", "[transactions]"]
        for transaction in station.model.transactions():
            lines.append(
                f"EVSE {transaction.evse_id}: transaction"
                f" {'-' if transaction.csms_id is None else transaction.csms_id}"
                f" ({transaction.local_id}, {transaction.phase.value}),"
                f" idTag {transaction.id_token.value if transaction.id_token else '-'},"
                f" started {iso(transaction.started_at)},"
                f" meterStart {transaction.meter_start_wh:.0f} Wh"
            )
        lines += ["", "[configuration]"]
        for entry in station.config.report(None).get("configurationKey", []):
            readonly = " (read-only)" if entry["readonly"] else ""
            lines.append(f"{entry['key']} = {entry['value']}{readonly}")
        lines += ["", *station.frame_log.section(start, stop)]
        return ("\n".join(lines) + "\n").encode()

    # -- what reboots do -----------------------------------------------------------------------

    def going_down(self) -> None:
        """A diagnostics upload under way stops with the power: it is abandoned."""
        self._abandon_upload()
