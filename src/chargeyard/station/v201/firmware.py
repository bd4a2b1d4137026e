"""OCPP 2.0.1 firmware management (functional block L): UpdateFirmware, secure (L01, with a
signature) or not (L02), and its FirmwareStatusNotifications.

Theory of operation
-------------------
UpdateFirmware is answered at once; the station's firmware update machine
(``station/firmware_update.py``, shared with 1.6) runs it in the words of :data:`WORDS_201`,
waiting for transactions as :data:`RULES_201` say. The download is tried ``1 + retries`` times,
``retryInterval`` seconds apart (:func:`~chargeyard.station.maintenance.retry_policy`). Every
new state of the update is sent as FirmwareStatusNotification with the update's requestId
(L01.FR.01, L01.FR.10/20), in the order of :data:`FIRMWARE_MOVES`::

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
  Rejected then too (``FirmwareUpdate.may_reset``): no numbered requirement of B11/B12 or L01
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
from types import MappingProxyType
from typing import TYPE_CHECKING, get_args

from chargeyard.protocol import on
from chargeyard.protocol.messages import is_one_of, v201
from chargeyard.station.blocks import Block
from chargeyard.station.firmware_update import FirmwareWords, InstallRules, Update
from chargeyard.station.maintenance import optional_time, parse_time, retry_policy
from chargeyard.station.model.states import ConnectorStatus

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

_FIRMWARE_STATUSES: frozenset[v201.FirmwareStatusEnumType] = frozenset(
    get_args(v201.FirmwareStatusEnumType)
)


def firmware_status_notification(
    status: str, request_id: int | None
) -> v201.FirmwareStatusNotificationRequest:
    """FirmwareStatusNotificationRequest, with the update's requestId where it has one
    (L01.FR.10, L01.FR.20).

    Raises:
        ValueError: no FirmwareStatusEnumType; every one of :data:`FIRMWARE_MOVES` is (a test
            says so).
    """
    if not is_one_of(status, _FIRMWARE_STATUSES):
        raise ValueError(f"FirmwareStatusNotification has no status {status!r}")
    notification: v201.FirmwareStatusNotificationRequest = {"status": status}
    if request_id is not None:
        notification["requestId"] = request_id
    return notification


WORDS_201 = FirmwareWords(
    machine="firmware status",
    moves=FIRMWARE_MOVES,
    notification="FirmwareStatusNotification",
    message=firmware_status_notification,
    reported=True,  # TriggerMessage FirmwareStatusNotification (F06)
    idle_when_done=False,  # L01.FR.26: the last status, until Installed (L01.FR.25)
    security_log=True,  # L01.FR.31: FirmwareUpdated
)
"""L01's and L02's update, in 2.0.1's words."""


def _firmware_update_boot(station: StationV201) -> None:
    station.boot_reason = "FirmwareUpdate"  # B01: the next BootNotification's reason


RULES_201: InstallRules[StationV201] = InstallRules(
    # L01.FR.07, L01.FR.19: every connector of an EVSE without a transaction.
    may_hold=lambda evse, connector: (
        evse.transaction is None and connector.status in (_S.AVAILABLE, _S.RESERVED)
    ),
    # Not if ChangeAvailability made it Inoperative meanwhile (G03, G04).
    may_release=lambda station, connector: connector.operative and station.station_operative,
    hold_until_reboot=True,
    waiting_status="InstallScheduled",  # while transactions run (the module docstring)
    poll_s=None,  # EVSE_IDLE says when to look again
    before_reboot=_firmware_update_boot,
)
"""How a 2.0.1 station waits for its transactions before installing (L01.FR.05-07)."""


class FirmwareV201(Block["StationV201"]):
    """UpdateFirmware; see the module docstring."""

    __slots__ = ()

    @on("UpdateFirmware")
    def update_firmware(self, payload: v201.UpdateFirmwareRequest) -> v201.UpdateFirmwareResponse:
        machine = self.station.firmware_update
        if machine.installing():
            return {"status": "Rejected"}  # L01.FR.27: the installation cannot be cancelled
        firmware = payload["firmware"]
        attempts, interval_s = retry_policy(payload)
        update = Update(
            WORDS_201,
            request_id=payload["requestId"],
            location=firmware["location"],
            retrieve_at=parse_time(firmware["retrieveDateTime"]),
            install_at=optional_time(firmware.get("installDateTime")),
            signing_certificate=firmware.get("signingCertificate"),
            signature=firmware.get("signature"),
            attempts=attempts,
            interval_s=interval_s,
        )
        if update.secure and machine.signing_certificate_refused(update.signing_certificate):
            return {"status": "InvalidCertificate"}  # L01.FR.22; the update under way goes on
        replaces = machine.under_way()
        machine.begin(update)  # L01.FR.24: the one under way is cancelled
        return {"status": "AcceptedCanceled" if replaces else "Accepted"}
