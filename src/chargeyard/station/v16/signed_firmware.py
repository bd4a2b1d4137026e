"""The secure firmware update of the OCPP 1.6 security extension ("Improved security for OCPP
1.6-J", use case L01): SignedUpdateFirmware and its SignedFirmwareStatusNotifications.

Theory of operation
-------------------
SignedUpdateFirmware.req is 2.0.1's UpdateFirmwareRequest renamed (extension section 5.21), and
the station runs it as the 2.0.1 station runs L01, each new state sent in
SignedFirmwareStatusNotification.req with the request's requestId (L01.FR.01, L01.FR.10), in the
order of :data:`SIGNED_FIRMWARE_MOVES`::

    the signing certificate refused: InvalidCertificate, no update (scenario step 3)
    retrieveDateTime ahead: DownloadScheduled (L01.FR.13) -> Downloading, with retries
      -> DownloadFailed
      -> Downloaded -> the signature checked (L01.FR.04)
         -> InvalidSignature, the update ends (L01.FR.03)
         -> SignatureVerified -> [installDateTime ahead: InstallScheduled (L01.FR.16)]
         -> [transactions running: wait, connectors not in use Unavailable (L01.FR.06/07)]
         -> Installing -> the station's firmware_install_s later, the image is checked:
            -> InstallationFailed
            -> InstallRebooting (L01.FR.15); the image's firmwareVersion; reboot
               -> Accepted -> Installed, and the security event FirmwareUpdated

* The signing certificate is checked before the answer, against the installed
  ManufacturerRootCertificates; a refused one is answered InvalidCertificate and the security
  event InvalidFirmwareSigningCertificate goes to the central system (L01.FR.02). The signature
  is verified once the image is downloaded; a bad or missing one is InvalidSignature and the
  event InvalidFirmwareSignature (L01.FR.03). The checks, and why RevokedCertificate is never
  answered, are in ``station/firmware_signing.py``.
* The station runs one firmware update at a time. A newer SignedUpdateFirmware cancels the one
  under way, signed or not: AcceptedCanceled; from Installing on it is Rejected, the
  installation cannot be cancelled (as 2.0.1 L01.FR.24 and L01.FR.27). An UpdateFirmware.req
  cancels a signed update under way as it cancels its own (section 5.19).
* A reboot that is not the installation's interrupts the update: it starts over after the next
  Accepted boot (as UpdateFirmware does, section 5.19).
* The unsigned UpdateFirmware.req of section 5.19 (``firmware.py``) stays as it is, with its
  own FirmwareStatusNotification.req and TriggerMessage status.
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
    from chargeyard.station.v16 import StationV16

_NONE_HELD: frozenset[int] = frozenset()

# The extension's FirmwareStatusEnumType, in the order one update reports it.
SIGNED_FIRMWARE_MOVES: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "Idle": frozenset({"DownloadScheduled", "Downloading"}),
        "DownloadScheduled": frozenset({"Downloading"}),
        "Downloading": frozenset({"Downloaded", "DownloadFailed"}),
        "Downloaded": frozenset({"SignatureVerified", "InvalidSignature"}),
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

_RETRIEVE = "signed-firmware:retrieve"
_INSTALL = "signed-firmware:install"
# An image waiting for the sessions to end looks again when one ends, and at least this often.
INSTALL_POLL_S = 60


@dataclass(slots=True, eq=False)
class _SignedUpdate:
    request_id: int
    location: str
    retrieve_at: datetime
    install_at: datetime | None
    signing_certificate: str
    signature: str
    attempts: int
    interval_s: float
    status: str = "Idle"
    transfer: Retrying[bytes] | None = None
    image: bytes | None = None
    waiting: bool = False  # for the transactions to end (L01.FR.06)


class SignedFirmwareV16(Block["StationV16"]):
    """SignedUpdateFirmware; see the module docstring."""

    __slots__ = ("_held", "_update")

    def __init__(self, station: StationV16) -> None:
        super().__init__(station)
        self._update: _SignedUpdate | None = None
        # Connectors made Unavailable for the installation; a shared empty frozenset until
        # then, as the unsigned update keeps it (an empty set costs every station 216 bytes).
        self._held: frozenset[int] = _NONE_HELD

    @property
    def status(self) -> str:
        """The last status sent for the update under way; Idle without one."""
        return "Idle" if self._update is None else self._update.status

    @on("SignedUpdateFirmware")
    def signed_update_firmware(self, payload: Payload) -> Payload:
        firmware = payload["firmware"]
        pem: str = firmware["signingCertificate"]
        now = self.station.clock.now().timestamp()
        refusal = signing_certificate_refusal(pem, self.station.model.certificates, now)
        if refusal is not None:
            # Scenario step 3, L01.FR.02; the update under way, if any, goes on.
            self.station.note(f"firmware: the signing certificate is refused: {refusal}")
            self.station.after_answer(
                lambda: self.station.security.notify("InvalidFirmwareSigningCertificate", refusal)
            )
            return {"status": "InvalidCertificate"}
        current, plain = self._update, self.station.firmware
        if (current is not None and current.status in _INSTALLING) or plain.installing():
            return {"status": "Rejected"}  # the installation cannot be cancelled
        attempts, interval_s = retry_policy(payload)
        update = _SignedUpdate(
            request_id=payload["requestId"],
            location=firmware["location"],
            retrieve_at=parse_time(firmware["retrieveDateTime"]),
            install_at=optional_time(firmware.get("installDateTime")),
            signing_certificate=pem,
            signature=firmware["signature"],
            attempts=attempts,
            interval_s=interval_s,
        )

        replaces = current is not None or plain.under_way()

        def begin() -> None:
            plain.abandon_update()  # the one under way is cancelled
            self.abandon_update()
            self._update = update
            self._schedule_download(update)

        self.station.after_answer(begin)
        return {"status": "AcceptedCanceled" if replaces else "Accepted"}

    def _schedule_download(self, update: _SignedUpdate) -> None:
        delay = (update.retrieve_at - self.station.clock.now()).total_seconds()
        if delay <= 0:
            self._start_download(update)
            return
        self._step(update, "DownloadScheduled")  # L01.FR.13
        at = self.station.clock.monotonic() + delay
        self.station.timers.set(_RETRIEVE, at, lambda: self._start_download(update))

    def _start_download(self, update: _SignedUpdate) -> None:
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

    def _download_failed(self, update: _SignedUpdate, reason: str) -> None:
        if self._update is not update:
            return
        self.station.note(f"firmware: download failed after {update.attempts} attempt(s): {reason}")
        self._step(update, "DownloadFailed")
        self._end_update()

    def _downloaded(self, update: _SignedUpdate, image: bytes) -> None:
        if self._update is not update:
            return
        update.image = image
        self.station.note(f"firmware: downloaded {len(image)} bytes")
        self._step(update, "Downloaded")
        refusal = signature_refusal(image, update.signature, update.signing_certificate)
        if refusal is not None:
            self.station.note(f"firmware: {refusal}; nothing is installed")
            self._step(update, "InvalidSignature")
            self.station.security.notify("InvalidFirmwareSignature", refusal)  # L01.FR.03
            self._end_update()
            return
        self._step(update, "SignatureVerified")  # L01.FR.04
        install_at = update.install_at
        now = self.station.clock.now()
        seconds = 0.0 if install_at is None else (install_at - now).total_seconds()
        if seconds > 0:
            self._step(update, "InstallScheduled")  # L01.FR.16
            at = self.station.clock.monotonic() + seconds
            self.station.timers.set(_INSTALL, at, lambda: self._install_when_idle(update))
        else:
            self._install_when_idle(update)

    def _install_when_idle(self, update: _SignedUpdate) -> None:
        if self._update is not update:
            return
        if any(True for _ in self.station.model.transactions()):
            # L01.FR.06, L01.FR.07: wait for the sessions, the free connectors Unavailable.
            update.waiting = True
            self._hold_idle_connectors()
            at = self.station.clock.monotonic() + INSTALL_POLL_S
            self.station.timers.set(_INSTALL, at, lambda: self._install_when_idle(update))
            return
        update.waiting = False
        self._step(update, "Installing")
        # The hardware's time, whichever update installs (``firmware.py`` keeps it).
        at = self.station.clock.monotonic() + self.station.firmware_install_s
        self.station.timers.set(_INSTALL, at, lambda: self._install(update))

    def _install(self, update: _SignedUpdate) -> None:
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
        self.station.reboot()

    def _step(self, update: _SignedUpdate, status: str) -> None:
        check_status_move("signed firmware status", SIGNED_FIRMWARE_MOVES, update.status, status)
        update.status = status
        payload = {"status": status, "requestId": update.request_id}  # L01.FR.10
        self.station.call("SignedFirmwareStatusNotification", payload)  # L01.FR.01

    def abandon_update(self) -> None:
        """Cancel the signed update under way, if any (a newer update replaces it)."""
        self._end_update()

    def _end_update(self) -> None:
        update, self._update = self._update, None
        if update is not None and update.transfer is not None:
            update.transfer.cancel()
        for name in (_RETRIEVE, FIRMWARE_DOWNLOAD_TIMER, _INSTALL):
            self.station.timers.cancel(name)
        self._release_held_connectors()

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

    # -- what transactions, reboots and boots do --------------------------------------------------

    def transaction_ended(self, evse: Evse) -> None:
        """A transaction ended: an image waiting for the sessions to end may install."""
        update = self._update
        if update is not None and update.waiting:
            now = self.station.clock.monotonic()
            self.station.timers.set(_INSTALL, now, lambda: self._install_when_idle(update))

    def going_down(self) -> None:
        """A transfer stops with the power; an update not installed yet starts over after the
        next Accepted boot."""
        update = self._update
        if update is not None and update.status != "InstallRebooting":
            if update.transfer is not None:
                update.transfer.cancel()
            update.transfer, update.image, update.status = None, None, "Idle"
            update.waiting = False

    def power_on(self) -> None:
        """Connectors held Unavailable are released (nothing is sent before the boot)."""
        self._release_held_connectors()

    def accepted(self) -> None:
        """Registered after a boot: Installed and FirmwareUpdated, or the update starts over."""
        update = self._update
        if update is None:
            return
        if update.status == "InstallRebooting":
            self._step(update, "Installed")  # the new firmware booted and connected
            self.station.security.notify(
                "FirmwareUpdated", f"firmware {self.station.model.firmware_version}"
            )
            self._update = None
        elif update.status == "Idle":
            self._schedule_download(update)
