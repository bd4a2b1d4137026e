"""OCPP 2.0.1 CSMS cases of a secure firmware update the station refuses at once (L01): the
Firmware Signing certificate revoked (TC_L_04_CSMS) or invalid, with the security event
InvalidFirmwareSigningCertificate (TC_L_05_CSMS, L01.FR.02). The CSMS sends UpdateFirmware
with the certificate (L01.FR.11) and must take the refusal and the event."""

from __future__ import annotations

from chargeyard.conformance.csms_under_test.case import now
from chargeyard.conformance.csms_under_test.case_v201 import CsmsCaseV201
from chargeyard.conformance.csms_under_test.cases_v201._registry import case
from chargeyard.conformance.csms_under_test.firmware_signing import LOCATION, firmware

REQUEST_ID = 3_401


async def _refused(run: CsmsCaseV201, status: str) -> None:
    await run.booted()
    call = await run.ordered(
        "UpdateFirmware",
        {"requestId": REQUEST_ID, "firmware": firmware()},
        f"update the station's firmware from {LOCATION}",
        {"status": status},
    )
    signed = call.payload.get("firmware") or {}
    run.log.check(
        "UpdateFirmware carries a signing certificate (L01.FR.11)",
        bool(signed.get("signingCertificate")),
        expected="firmware.signingCertificate",
        observed=sorted(signed),
    )


@case("TC_L_04_CSMS")
async def firmware_revoked_certificate(run: CsmsCaseV201) -> None:
    """The station answers RevokedCertificate (UpdateFirmwareStatusEnumType); nothing
    follows (L01.FR.01)."""
    await _refused(run, "RevokedCertificate")


@case("TC_L_05_CSMS")
async def firmware_invalid_certificate(run: CsmsCaseV201) -> None:
    """The station answers InvalidCertificate and tells the security event
    InvalidFirmwareSigningCertificate (L01.FR.01, L01.FR.02, L01.FR.22)."""
    await _refused(run, "InvalidCertificate")
    run.log.step("The station tells the security event InvalidFirmwareSigningCertificate")
    await run.call(
        "SecurityEventNotification",
        {"type": "InvalidFirmwareSigningCertificate", "timestamp": now()},
    )
