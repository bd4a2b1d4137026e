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

UpdateFirmware (5.19), the statuses of :data:`FIRMWARE_MOVES`::

    retrieveDate (a timer; at once when past) -> Downloading -> download, with retries
      -> DownloadFailed                                             (then Idle)
      -> Downloaded -> [a transaction runs: wait; idle connectors Unavailable]
         -> Installing -> firmware_install_s later, the image is checked:
            -> InstallationFailed                                   (then Idle)
            -> firmwareVersion := the image's; reboot -> BootNotification (new version)
               -> Accepted -> Installed                             (then Idle)

* 5.19: "If it is not possible to continue charging during installation of firmware, it is
  RECOMMENDED to wait until Charging Session has ended (Charge Point idle) before commencing
  installation. It is RECOMMENDED to set connectors that are not in use to UNAVAILABLE while
  the Charge Point waits for the Session to end." Both are done.
* 5.19 calls it good practice "to first reboot the Charge Point to check the new firmware is
  booting and able to connect to the Central System, before sending the status: Installed":
  Installed is sent once, after the Accepted BootNotification that carries the new version.
* A firmware image is valid by :func:`~chargeyard.station.maintenance.firmware_image_version`.
* A newer UpdateFirmware replaces one under way (1.6 has no way to refuse it). A reboot that is
  not the installation's (a Reset, a power cut) interrupts the update: it starts over after the
  next Accepted boot, as a charger that keeps its pending update across a power cycle.

GetDiagnostics (5.9): the answer names the file, ``<identity>-diagnostics-<UTC time>.log``; then
Uploading -> upload, with retries -> Uploaded | UploadFailed (then Idle), :data:`DIAGNOSTICS_MOVES`.
"Format of the diagnostics file is not prescribed" (5.9): ours is text, made by
:meth:`FirmwareManagementV16.diagnostics_file`: the station's identity, template, firmware,
statuses, running transactions and configuration, then its log (``maintenance.FrameLogging``),
the last :attr:`log_size` OCPP frames it sent and received and the transfer events, limited to
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
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING

from chargeyard.protocol import Payload, on
from chargeyard.station.blocks import Block
from chargeyard.station.clock import iso
from chargeyard.station.io import Retrying
from chargeyard.station.maintenance import (
    check_status_move,
    file_safe,
    firmware_image_version,
    optional_time,
    parse_time,
    retry_policy,
    when,
    without_credentials,
)
from chargeyard.station.model.states import ConnectorStatus
from chargeyard.station.model.station import Evse

if TYPE_CHECKING:
    from chargeyard.station.v16 import StationV16

__all__ = ["DIAGNOSTICS_MOVES", "FIRMWARE_MOVES", "FirmwareManagementV16", "firmware_image_version"]

# A downloaded image looks again whether the transactions have ended when one ends (the
# transaction_ended hook), and at least this often.
INSTALL_POLL_S = 60

# Sections 4.5 and 4.4: the statuses, in the order a transfer reports them. A request that is
# abandoned (replaced by a newer one, or cut by a reboot) goes back to Idle from wherever it is.
FIRMWARE_MOVES: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "Idle": frozenset({"Downloading"}),
        "Downloading": frozenset({"Downloaded", "DownloadFailed", "Idle"}),
        "Downloaded": frozenset({"Installing", "Idle"}),
        "Installing": frozenset({"Installed", "InstallationFailed", "Idle"}),
        "DownloadFailed": frozenset({"Idle"}),
        "InstallationFailed": frozenset({"Idle"}),
        "Installed": frozenset({"Idle"}),
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

_RETRIEVE = "firmware:retrieve"
_INSTALL = "firmware:install"
_UPLOAD_RETRY = "diagnostics:retry"
_NONE_HELD: frozenset[int] = frozenset()


@dataclass(slots=True, eq=False)
class _FirmwareUpdate:
    location: str
    retrieve_at: datetime
    attempts: int
    interval_s: float
    transfer: Retrying[bytes] | None = None
    image: bytes | None = None
    rebooting: bool = False  # installed; Installed follows the boot


DEFAULT_INSTALL_S = 10.0
"""Seconds from Installing to the reboot, unless the station says otherwise."""


class FirmwareManagementV16(Block["StationV16"]):
    """UpdateFirmware and GetDiagnostics; see the module docstring.

    The station fetches images and keeps its log (``maintenance.FirmwareDownloads``); this
    block decides when, and reports the statuses.
    """

    __slots__ = ("_held", "_update", "_upload", "firmware_install_s")

    def __init__(self, station: StationV16) -> None:
        super().__init__(station)
        # From Installing to the reboot (the hardware's time; a test makes it short).
        self.firmware_install_s = DEFAULT_INSTALL_S
        self._update: _FirmwareUpdate | None = None
        self._upload: Retrying[None] | None = None
        # Connectors made Unavailable while an install waits; rarely any, so the empty set is
        # shared.
        self._held: frozenset[int] = _NONE_HELD

    # -- UpdateFirmware (5.19) ------------------------------------------------------------------

    @on("UpdateFirmware")
    def update_firmware(self, payload: Payload) -> Payload:
        attempts, interval_s = retry_policy(payload)
        update = _FirmwareUpdate(
            payload["location"], parse_time(payload["retrieveDate"]), attempts, interval_s
        )

        def begin() -> None:
            # A newer request replaces the one under way, a signed one too: the station runs
            # one firmware update at a time.
            self.abandon_update()
            self.station.signed_firmware.abandon_update()
            self._update = update
            self._schedule_download(update)

        self.station.after_answer(begin)
        return {}

    def _schedule_download(self, update: _FirmwareUpdate) -> None:
        delay = (update.retrieve_at - self.station.clock.now()).total_seconds()
        if delay > 0:
            at = self.station.clock.monotonic() + delay
            self.station.timers.set(_RETRIEVE, at, lambda: self._start_download(update))
        else:
            self._start_download(update)

    def _start_download(self, update: _FirmwareUpdate) -> None:
        if self._update is not update:
            return
        self._firmware_step("Downloading")
        update.transfer = self.station.firmware_download(
            update.location,
            attempts=update.attempts,
            interval_s=update.interval_s,
            on_done=lambda image: self._downloaded(update, image),
            on_failed=lambda reason: self._download_failed(update, reason),
        )
        update.transfer.start()

    def _download_failed(self, update: _FirmwareUpdate, reason: str) -> None:
        if self._update is not update:
            return
        self.station.note(f"firmware: download failed after {update.attempts} attempt(s): {reason}")
        self._firmware_step("DownloadFailed")
        self._end_update()

    def _downloaded(self, update: _FirmwareUpdate, image: bytes) -> None:
        if self._update is not update:
            return
        update.image = image
        self.station.note(f"firmware: downloaded {len(image)} bytes")
        self._firmware_step("Downloaded")
        self._install_when_idle(update)

    def _install_when_idle(self, update: _FirmwareUpdate) -> None:
        if self._update is not update:
            return
        if any(True for _ in self.station.model.transactions()):
            # 5.19: RECOMMENDED to wait for the sessions to end, with the connectors that are
            # not in use Unavailable meanwhile.
            self._hold_idle_connectors()
            at = self.station.clock.monotonic() + INSTALL_POLL_S
            self.station.timers.set(_INSTALL, at, lambda: self._install_when_idle(update))
            return
        self._firmware_step("Installing")
        at = self.station.clock.monotonic() + self.firmware_install_s
        self.station.timers.set(_INSTALL, at, lambda: self._install(update))

    def transaction_ended(self, evse: Evse) -> None:
        """A transaction ended: an image waiting for the sessions to end may install."""
        update = self._update
        if update is not None and self.station.firmware_status == "Downloaded":
            # The wait of 5.19 may be over: look once the session's own reports are out.
            now = self.station.clock.monotonic()
            self.station.timers.set(_INSTALL, now, lambda: self._install_when_idle(update))

    def _install(self, update: _FirmwareUpdate) -> None:
        if self._update is not update:
            return
        version = firmware_image_version(update.image or b"", update.location)
        if version is None:
            self.station.note("firmware: the image is not valid; nothing was installed")
            self._firmware_step("InstallationFailed")
            self._end_update()
            return
        self.station.note(f"firmware: {version} installed; rebooting")
        self.station.model.firmware_version = version  # the next BootNotification's firmwareVersion
        update.rebooting = True
        self.station.reboot()

    def _end_update(self) -> None:
        self._update = None
        self.station.timers.cancel(_RETRIEVE)
        self.station.timers.cancel(_INSTALL)
        self._release_held_connectors()
        if self.station.firmware_status != "Idle":
            self._firmware_step("Idle")

    def under_way(self) -> bool:
        """Whether an UpdateFirmware is under way."""
        return self._update is not None

    def installing(self) -> bool:
        """Whether the update under way is being installed (it cannot be cancelled)."""
        update = self._update
        return update is not None and (
            update.rebooting or self.station.firmware_status == "Installing"
        )

    def abandon_update(self) -> None:
        """Cancel the update under way, if any (a newer one replaces it)."""
        update = self._update
        if update is None:
            return
        if update.transfer is not None:
            update.transfer.cancel()
        self._end_update()

    def _firmware_step(self, status: str) -> None:
        check_status_move("firmware status", FIRMWARE_MOVES, self.station.firmware_status, status)
        self.station.firmware_status = status
        if status != "Idle":  # 4.5: Idle only in answer to TriggerMessage
            self.station.call("FirmwareStatusNotification", {"status": status})

    def _hold_idle_connectors(self) -> None:
        for connector in self.station.model.connectors():
            if connector.status is ConnectorStatus.AVAILABLE:
                self.station.set_status(connector, ConnectorStatus.UNAVAILABLE)
                self._held |= {connector.number_16}

    def _release_held_connectors(self) -> None:
        held, self._held = self._held, _NONE_HELD
        for number in sorted(held):
            connector = self.station.connector_of(number)
            # Not if ChangeAvailability made it Inoperative meanwhile (section 5.2).
            if connector.status is ConnectorStatus.UNAVAILABLE and connector.operative:
                self.station.set_status(connector, ConnectorStatus.AVAILABLE)

    # -- GetDiagnostics (5.9) -------------------------------------------------------------------

    @on("GetDiagnostics")
    def get_diagnostics(self, payload: Payload) -> Payload:
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

    def _upload_ended(self, status: str, detail: str) -> None:
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

    def _diagnostics_step(self, status: str) -> None:
        station = self.station
        moves = DIAGNOSTICS_MOVES
        check_status_move("diagnostics status", moves, station.diagnostics_status, status)
        station.diagnostics_status = status
        if status != "Idle":  # 4.4: Idle only in answer to TriggerMessage
            self.station.call("DiagnosticsStatusNotification", {"status": status})

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

    # -- what reboots and boots do ---------------------------------------------------------------

    def going_down(self) -> None:
        """Transfers under way stop with the power. An update that was not installed yet starts
        over after the next Accepted boot; a diagnostics upload is abandoned."""
        self._abandon_upload()
        update = self._update
        if update is not None and not update.rebooting:
            if update.transfer is not None:
                update.transfer.cancel()
            update.transfer, update.image = None, None
            if self.station.firmware_status != "Idle":
                self._firmware_step("Idle")

    def power_on(self) -> None:
        """Connectors held Unavailable for an installation are released (nothing is sent
        before the boot reports them all)."""
        self._release_held_connectors()

    def accepted(self) -> None:
        """Registered after a boot: Installed, or the interrupted update starts over (5.19)."""
        update = self._update
        if update is None:
            return
        if update.rebooting:
            # 5.19: Installed once the new firmware has booted and connected.
            self._firmware_step("Installed")
            self._end_update()
        elif update.transfer is None:
            self._schedule_download(update)
