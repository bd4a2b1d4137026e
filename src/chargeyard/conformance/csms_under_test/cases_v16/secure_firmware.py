"""OCPP 1.6 Central System cases of the security extension's secure firmware update (L01):
SignedUpdateFirmware sent with its signing certificate (L01.FR.11), and the
SignedFirmwareStatusNotifications and SecurityEventNotifications of an installation
(TC_080_CSMS) and of a signature that does not verify (TC_081_CSMS), which the Central System
must take."""

from __future__ import annotations

from typing import Final

from chargeyard.conformance.csms_under_test.case import CsmsCase, now
from chargeyard.conformance.csms_under_test.cases_v16._registry import case
from chargeyard.conformance.csms_under_test.firmware_signing import LOCATION, firmware
from chargeyard.protocol.messages import v16

REQUEST_ID = 1_801
NOTIFICATION: Final = "SignedFirmwareStatusNotification"


async def _signed_update(run: CsmsCase) -> int:
    """SignedUpdateFirmware with the signing certificate and signature (L01.FR.11),
    answered Accepted; its requestId."""
    await run.booted()
    run.log.step("The Central System sends a signed firmware update")
    call = await run.order(
        "SignedUpdateFirmware",
        {"requestId": REQUEST_ID, "firmware": firmware()},
        f"send the station a signed firmware update from {LOCATION}",
    )
    signed = call.payload.get("firmware") or {}
    run.log.check(
        "SignedUpdateFirmware carries the signing certificate and the signature (L01.FR.11)",
        bool(signed.get("signingCertificate")) and bool(signed.get("signature")),
        expected="signingCertificate and signature",
        observed=sorted(signed),
    )
    await run.answered(call, {"status": "Accepted"})
    request_id = call.payload.get("requestId")
    return request_id if isinstance(request_id, int) else REQUEST_ID


async def _statuses(
    run: CsmsCase, request_id: int, statuses: list[v16.FirmwareStatusEnumType]
) -> None:
    run.log.step(f"The station reports: {', '.join(statuses)}")
    for status in statuses:
        await run.call(NOTIFICATION, {"status": status, "requestId": request_id})


@case("TC_080_CSMS")
async def secure_firmware_update(run: CsmsCase) -> None:
    """Downloaded, SignatureVerified, installed after a reboot, and the security event
    FirmwareUpdated (L01.FR.01, L01.FR.10, L01.FR.15)."""
    request_id = await _signed_update(run)
    await _statuses(
        run,
        request_id,
        ["Downloading", "Downloaded", "SignatureVerified", "Installing", "InstallRebooting"],
    )
    run.log.step("The station reboots into the new firmware")
    await run.reconnect()
    await run.boot()
    await _statuses(run, request_id, ["Installed"])
    await run.call("SecurityEventNotification", {"type": "FirmwareUpdated", "timestamp": now()})


@case("TC_081_CSMS")
async def secure_firmware_update_invalid_signature(run: CsmsCase) -> None:
    """The signature does not verify: InvalidSignature and the security event
    InvalidFirmwareSignature (L01.FR.03)."""
    request_id = await _signed_update(run)
    await _statuses(run, request_id, ["Downloading", "Downloaded", "InvalidSignature"])
    await run.call(
        "SecurityEventNotification", {"type": "InvalidFirmwareSignature", "timestamp": now()}
    )
