"""OCPP 2.0.1 firmware management (functional block L): UpdateFirmware, secure (L01, with a
signature) or not (L02), and its FirmwareStatusNotifications.

Theory of operation
-------------------
UpdateFirmware is answered at once; the work follows on the station's timers and its
:class:`~chargeyard.station.io.StationIO` (``station.io``), which reports back later. The
download is tried ``1 + retries`` times, ``retryInterval`` seconds apart
(:func:`~chargeyard.station.maintenance.retry_policy`). Every new state of the update is sent as
FirmwareStatusNotification with the update's requestId (L01.FR.01, L01.FR.10/20), in the order
of :data:`FIRMWARE_MOVES`::

    [secure: the signing certificate refused: InvalidCertificate, no update (L01.FR.22)]
    retrieveDateTime ahead: DownloadScheduled (L01.FR.13) -> Downloading, with retries
      -> DownloadFailed
      -> Downloaded -> [secure: the signature checked (L01.FR.04)
                        -> InvalidSignature, the update ends (L01.FR.03)
                        -> SignatureVerified]
         -> [installDateTime ahead (L01.FR.16), or transactions running: InstallScheduled]
         -> Installing -> firmware_install_s later, the image is checked:
            -> InstallationFailed
            -> InstallRebooting (L01.FR.15); firmwareVersion := the image's; reboot with
               BootNotification reason FirmwareUpdate -> Accepted -> Installed

* L01.FR.05/17: install as soon as able; L01.FR.06/18: not while a transaction runs, so the
  installation waits for the last one to end. L01.FR.07/19: meanwhile, and until the reboot,
  every connector not in use is made Unavailable, one that becomes free too, and no new session
  may begin (``accepts_sessions``). They are Available again after the reboot or a failed
  installation.
* Installed is sent once the new firmware has booted and connected, then TriggerMessage reports
  Idle (L01.FR.25); otherwise it repeats the last status with its requestId (L01.FR.26).
* A newer UpdateFirmware cancels the one under way and is answered AcceptedCanceled (L01.FR.24);
  from Installing on the installation cannot be cancelled: Rejected (L01.FR.27). A Reset is
  Rejected then too (:meth:`FirmwareV201.may_reset`): no numbered requirement of B11/B12 or L01
  names this case, but a reset would cut the installation short and ResetStatusEnumType offers
  Rejected ("will not be executed").
* A reboot that is not the installation's (a Reset before Installing, a power cut) interrupts
  the update: it starts over after the next Accepted boot.
* An update is secure (L01) when it carries a signingCertificate or a signature; one with
  neither is L02's and is installed unchecked. The signing certificate is checked before the
  answer (L01.FR.21): one that is invalid, or that no installed ManufacturerRootCertificate
  issued, is answered InvalidCertificate and leaves an update under way as it was, and the
  security event InvalidFirmwareSigningCertificate goes to the CSMS (L01.FR.02). Once
  downloaded, the image's signature is verified with that certificate's key (L01.FR.04,
  L01.FR.12): SignatureVerified, or InvalidSignature and the security event
  InvalidFirmwareSignature (L01.FR.03), and nothing is installed. The checks, and why
  RevokedCertificate is never answered, are in ``station/firmware_signing.py``.
* An image is valid by :func:`~chargeyard.station.maintenance.firmware_image_version`. After
  the installation the security log records FirmwareUpdated (``security_event``, L01.FR.31).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING

from chargeyard.protocol import Payload, on
from chargeyard.station.blocks import Block
from chargeyard.station.firmware_signing import signature_refusal, signing_certificate_refusal
from chargeyard.station.io import Retrying
from chargeyard.station.maintenance import (
    FIRMWARE_DOWNLOAD_TIMER,
    check_status_move,
    firmware_image_version,
    optional_time,
    parse_time,
    retry_policy,
)
from chargeyard.station.model.states import ConnectorStatus
from chargeyard.station.model.station import Evse

if TYPE_CHECKING:
    from chargeyard.station.v201 import StationV201

_S = ConnectorStatus

# FirmwareStatusEnumType, in the order one update reports it (see the module docstring).
FIRMWARE_MOVES: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "Idle": frozenset({"DownloadScheduled", "Downloading"}),
        "DownloadScheduled": frozenset({"Downloading"}),
        "Downloading": frozenset({"Downloaded", "DownloadFailed"}),
        "Downloaded": frozenset(
            {"SignatureVerified", "InvalidSignature", "InstallScheduled", "Installing"}
        ),
        "SignatureVerified": frozenset({"InstallScheduled", "Installing"}),
        "InstallScheduled": frozenset({"Installing"}),
        "Installing": frozenset({"InstallRebooting", "InstallationFailed"}),
        "InstallRebooting": frozenset({"Installed"}),
        "DownloadFailed": frozenset(),
        "InvalidSignature": frozenset(),
        "InstallationFailed": frozenset(),
        "Installed": frozenset(),
    }
)
_INSTALLING = frozenset({"Installing", "InstallRebooting"})

_RETRIEVE = "firmware:retrieve"
_INSTALL = "firmware:install"
DEFAULT_INSTALL_S = 10.0


@dataclass(slots=True, eq=False)
class _FirmwareUpdate:
    request_id: int
    location: str
    retrieve_at: datetime
    install_at: datetime | None
    # L01: the certificate and signature of a secure update (L02's has neither).
    signing_certificate: str | None
    signature: str | None
    attempts: int
    interval_s: float
    status: str = "Idle"
    transfer: Retrying[bytes] | None = None
    image: bytes | None = None


class FirmwareV201(Block["StationV201"]):
    """UpdateFirmware; see the module docstring."""

    __slots__ = ("_held", "_holding", "_update", "firmware_install_s")

    def __init__(self, station: StationV201) -> None:
        super().__init__(station)
        # From Installing to the reboot (the hardware's time; a test makes it short).
        self.firmware_install_s = DEFAULT_INSTALL_S
        self._update: _FirmwareUpdate | None = None
        self._holding = False  # L01.FR.07: connectors are kept Unavailable until the reboot
        self._held: set[tuple[int, int]] = set()

    # -- UpdateFirmware ----------------------------------------------------------------------------

    @on("UpdateFirmware")
    def update_firmware(self, payload: Payload) -> Payload:
        current = self._update
        if current is not None and current.status in _INSTALLING:
            return {"status": "Rejected"}  # L01.FR.27: the installation cannot be cancelled
        firmware = payload["firmware"]
        attempts, interval_s = retry_policy(payload)
        update = _FirmwareUpdate(
            request_id=payload["requestId"],
            location=firmware["location"],
            retrieve_at=parse_time(firmware["retrieveDateTime"]),
            install_at=optional_time(firmware.get("installDateTime")),
            signing_certificate=firmware.get("signingCertificate"),
            signature=firmware.get("signature"),
            attempts=attempts,
            interval_s=interval_s,
        )
        if _secure(update):
            refusal = signing_certificate_refusal(
                update.signing_certificate,
                self.station.model.certificates,
                self.station.clock.now().timestamp(),
            )
            if refusal is not None:
                # L01.FR.22, L01.FR.02; the update under way, if any, goes on.
                self.station.note(f"firmware: the signing certificate is refused: {refusal}")
                event = "InvalidFirmwareSigningCertificate"
                self.station.after_answer(lambda: self.station.security_event(event, refusal))
                return {"status": "InvalidCertificate"}

        def begin() -> None:
            self._end_update()  # L01.FR.24: the one under way is cancelled
            self._update = update
            self._schedule_download(update)

        self.station.after_answer(begin)
        return {"status": "Accepted" if current is None else "AcceptedCanceled"}

    def _schedule_download(self, update: _FirmwareUpdate) -> None:
        delay = (update.retrieve_at - self.station.clock.now()).total_seconds()
        if delay <= 0:
            self._start_download(update)
            return
        self._step(update, "DownloadScheduled")  # L01.FR.13
        self.station.timers.set(
            _RETRIEVE, self.station.clock.monotonic() + delay, lambda: self._start_download(update)
        )

    def _start_download(self, update: _FirmwareUpdate) -> None:
        if self._update is not update:
            return
        self._step(update, "Downloading")
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
        self._step(update, "DownloadFailed")
        self._end_update()

    def _downloaded(self, update: _FirmwareUpdate, image: bytes) -> None:
        if self._update is not update:
            return
        update.image = image
        self.station.note(f"firmware: downloaded {len(image)} bytes")
        self._step(update, "Downloaded")
        if _secure(update):
            refusal = signature_refusal(image, update.signature, update.signing_certificate or "")
            if refusal is not None:
                self.station.note(f"firmware: {refusal}; nothing is installed")
                self._step(update, "InvalidSignature")
                self.station.security_event("InvalidFirmwareSignature", refusal)  # L01.FR.03
                self._end_update()
                return
            self._step(update, "SignatureVerified")  # L01.FR.04
        install_at = update.install_at
        seconds = (
            0.0 if install_at is None else (install_at - self.station.clock.now()).total_seconds()
        )
        if seconds > 0:
            self._step(update, "InstallScheduled")  # L01.FR.16
            at = self.station.clock.monotonic() + seconds
            self.station.timers.set(_INSTALL, at, lambda: self._install_when_idle(update))
        else:
            self._install_when_idle(update)

    def _install_when_idle(self, update: _FirmwareUpdate) -> None:
        if self._update is not update:
            return
        self._holding = True
        self._hold_idle_connectors()  # L01.FR.07, L01.FR.19
        if any(True for _ in self.station.model.transactions()):
            # L01.FR.06, L01.FR.18: wait for them (on_evse_idle looks again).
            if update.status != "InstallScheduled":
                self._step(update, "InstallScheduled")
            return
        self._step(update, "Installing")
        at = self.station.clock.monotonic() + self.firmware_install_s
        self.station.timers.set(_INSTALL, at, lambda: self._install(update))

    def _install(self, update: _FirmwareUpdate) -> None:
        if self._update is not update:
            return
        version = firmware_image_version(update.image or b"", update.location)
        if version is None:
            self.station.note("firmware: the image is not valid; nothing was installed")
            self._step(update, "InstallationFailed")
            self._end_update()
            return
        self.station.note(f"firmware: {version} installed; rebooting")
        self._step(update, "InstallRebooting")  # L01.FR.15
        self.station.model.firmware_version = version  # the next BootNotification's firmwareVersion
        self.station.boot_reason = "FirmwareUpdate"
        self.station.reboot()

    def _step(self, update: _FirmwareUpdate, status: str) -> None:
        check_status_move("firmware status", FIRMWARE_MOVES, update.status, status)
        update.status = status
        self.station.firmware_status, self.station.firmware_request_id = status, update.request_id
        payload = {"status": status, "requestId": update.request_id}  # L01.FR.20
        self.station.call("FirmwareStatusNotification", payload)  # L01.FR.01

    def _end_update(self) -> None:
        update, self._update = self._update, None
        if update is not None and update.transfer is not None:
            update.transfer.cancel()
        for name in (_RETRIEVE, FIRMWARE_DOWNLOAD_TIMER, _INSTALL):
            self.station.timers.cancel(name)
        self._holding = False
        self._release_held_connectors()

    # -- L01.FR.07: connectors not in use are Unavailable while the installation waits -----------

    def _hold_idle_connectors(self) -> None:
        for evse in self.station.model.evses.values():
            if evse.transaction is not None:
                continue
            for connector in evse.connectors.values():
                if connector.status in (_S.AVAILABLE, _S.RESERVED):
                    self.station.set_status(connector, _S.UNAVAILABLE)
                    self._held.add((connector.evse_id, connector.connector_id))

    def _release_held_connectors(self) -> None:
        held, self._held = self._held, set()
        for evse_id, connector_id in sorted(held):
            connector = self.station.model.connector(evse_id, connector_id)
            # Not if ChangeAvailability made it Inoperative meanwhile (G03, G04).
            operative = connector.operative and self.station.station_operative
            if connector.status is _S.UNAVAILABLE and operative:
                self.station.set_status(connector, _S.AVAILABLE)

    def accepts_sessions(self, evse: Evse) -> bool:
        """L01.FR.07: no new session while an installation waits or runs."""
        return not self._holding

    def on_evse_idle(self, evse: Evse) -> None:
        update = self._update
        if not self._holding or update is None:
            return
        if update.status in _INSTALLING:
            self._hold_idle_connectors()  # L01.FR.07: until the firmware is installed
        else:
            self._install_when_idle(update)  # the wait may be over; a freed EVSE is held

    def may_reset(self) -> bool:
        update = self._update
        return update is None or update.status not in _INSTALLING

    # -- reboots and boots -------------------------------------------------------------------------

    def on_going_down(self) -> None:
        # A transfer under way stops with the power; an update not installed yet starts over
        # after the next Accepted boot.
        update = self._update
        if update is not None and update.status != "InstallRebooting":
            if update.transfer is not None:
                update.transfer.cancel()
            update.transfer, update.image, update.status = None, None, "Idle"
            self._holding = False

    def on_power_on(self) -> None:
        self._holding = False  # installed, or to start over: sessions may begin again
        self._release_held_connectors()  # nothing is sent before the boot reports them all

    def on_accepted(self) -> None:
        update = self._update
        if update is None:
            return
        if update.status == "InstallRebooting":
            self._step(update, "Installed")  # the new firmware booted and connected
            self.station.security_event(
                "FirmwareUpdated", f"firmware {self.station.model.firmware_version}"
            )
            self._update = None
            # L01.FR.25: TriggerMessage reports Idle from now on.
            self.station.firmware_status, self.station.firmware_request_id = "Idle", None
        elif update.status == "Idle":
            self._schedule_download(update)


def _secure(update: _FirmwareUpdate) -> bool:
    """L01's update, not L02's: it carries a signing certificate or a signature."""
    return update.signing_certificate is not None or update.signature is not None
