"""The secure firmware update of the OCPP 1.6 security extension ("Improved security for OCPP
1.6-J", use case L01): SignedUpdateFirmware and its SignedFirmwareStatusNotifications.

Theory of operation
-------------------
SignedUpdateFirmware.req is 2.0.1's UpdateFirmwareRequest renamed (extension section 5.21), and
the station runs it on its firmware update machine (``station/firmware_update.py``) as the
2.0.1 station runs L01, in the words of :data:`SIGNED_WORDS`: each new state sent in
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
* It waits for transactions as the unsigned update does (``firmware.RULES_16``), and a reboot
  that is not the installation's interrupts it: it starts over after the next Accepted boot.
* The unsigned UpdateFirmware.req of section 5.19 (``firmware.py``) keeps its own
  FirmwareStatusNotification.req and TriggerMessage status; the signed update's status is not
  reported on request (``extended_trigger.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, get_args

from chargeyard.protocol import on
from chargeyard.protocol.messages import is_one_of, v16
from chargeyard.station.blocks import Block
from chargeyard.station.firmware_update import FirmwareWords, Update
from chargeyard.station.maintenance import optional_time, parse_time, retry_policy

if TYPE_CHECKING:
    from chargeyard.station.v16 import StationV16  # noqa: F401 (the Block base names it)

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

_SIGNED_STATUSES: frozenset[v16.FirmwareStatusEnumType] = frozenset(
    get_args(v16.FirmwareStatusEnumType)
)


def signed_firmware_status_notification(
    status: str, request_id: int | None
) -> v16.SignedFirmwareStatusNotificationRequest:
    """SignedFirmwareStatusNotification.req, with the update's requestId.

    Raises:
        ValueError: no status of its; every one of :data:`SIGNED_FIRMWARE_MOVES` is (a test
            says so).
    """
    if not is_one_of(status, _SIGNED_STATUSES):
        raise ValueError(f"SignedFirmwareStatusNotification has no status {status!r}")
    notification: v16.SignedFirmwareStatusNotificationRequest = {"status": status}
    if request_id is not None:
        notification["requestId"] = request_id
    return notification


SIGNED_WORDS = FirmwareWords(
    machine="signed firmware status",
    moves=SIGNED_FIRMWARE_MOVES,
    notification="SignedFirmwareStatusNotification",
    message=signed_firmware_status_notification,
    reported=False,  # ExtendedTriggerMessage answers it NotImplemented
    idle_when_done=True,
    security_log=True,  # whitepaper section 8: FirmwareUpdated
)
"""The signed update, in the extension's words."""


class SignedFirmwareV16(Block["StationV16"]):
    """SignedUpdateFirmware; see the module docstring."""

    __slots__ = ()

    @property
    def status(self) -> str:
        """The last status sent for the signed update under way; Idle without one."""
        return self.station.firmware_update.status_of(SIGNED_WORDS)

    @on("SignedUpdateFirmware")
    def signed_update_firmware(
        self, payload: v16.SignedUpdateFirmwareRequest
    ) -> v16.SignedUpdateFirmwareResponse:
        firmware = payload["firmware"]
        machine = self.station.firmware_update
        if machine.signing_certificate_refused(firmware["signingCertificate"]):
            return {"status": "InvalidCertificate"}  # scenario step 3, L01.FR.02
        if machine.installing():
            return {"status": "Rejected"}  # the installation cannot be cancelled
        attempts, interval_s = retry_policy(payload)
        update = Update(
            SIGNED_WORDS,
            request_id=payload["requestId"],
            location=firmware["location"],
            retrieve_at=parse_time(firmware["retrieveDateTime"]),
            install_at=optional_time(firmware.get("installDateTime")),
            signing_certificate=firmware["signingCertificate"],
            signature=firmware["signature"],
            attempts=attempts,
            interval_s=interval_s,
        )
        replaces = machine.under_way()  # signed or not, it is cancelled
        machine.begin(update)
        return {"status": "AcceptedCanceled" if replaces else "Accepted"}
