"""OCPP 2.0.1 charging-station cases of the secure firmware update's refusals (L01): a signing
certificate the station cannot verify (TC_L_05_CS) and a signature that does not verify
(TC_L_06_CS). The suite installs its manufacturer root first, so the refusal is the
certificate's or the signature's own, not an empty trust store (``firmware_signer.py``)."""

from __future__ import annotations

from chargeyard.conformance.firmware_signer import new_signer
from chargeyard.conformance.station_under_test.case_v201 import StationCaseV201
from chargeyard.conformance.station_under_test.cases_v201._registry import case
from chargeyard.conformance.station_under_test.cases_v201.firmware import (
    firmware_status,
    offer,
    update,
)
from chargeyard.conformance.station_under_test.firmware_signing import trusted_signer
from chargeyard.conformance.verdicts import Weight


async def _security_event(run: StationCaseV201, kind: str, since: int, rule: str) -> None:
    await run.expect(
        "SecurityEventNotification",
        where=lambda r: r.payload.get("type") == kind,
        what=f"SecurityEventNotification {kind} ({rule})",
        since=since,
    )


@case("TC_L_05_CS")
async def firmware_invalid_certificate(run: StationCaseV201) -> None:
    """A signing certificate no installed ManufacturerRootCertificate issued: InvalidCertificate
    (or RevokedCertificate) and the security event InvalidFirmwareSigningCertificate
    (L01.FR.21, L01.FR.22, L01.FR.02)."""
    await run.ready()
    await trusted_signer(run)
    stranger = new_signer("chargeyard conformance unknown manufacturer")
    since = run.mark()
    run.step("UpdateFirmware signed by a manufacturer the station does not trust")
    await update(
        run,
        stranger,
        offer(run),
        status=("InvalidCertificate", "RevokedCertificate"),
    )
    await _security_event(run, "InvalidFirmwareSigningCertificate", since, "L01.FR.02")
    statuses = [
        item.payload.get("status")
        for item in run.peer.received("FirmwareStatusNotification", since=since)
    ]
    run.log.check(
        "the update is abandoned: no FirmwareStatusNotification follows",
        not statuses,
        weight=Weight.SPEC,
        expected="none",
        observed=statuses or "none",
    )


@case("TC_L_06_CS")
async def firmware_invalid_signature(run: StationCaseV201) -> None:
    """A real signature of another image: Downloading, Downloaded, InvalidSignature, and the
    security event InvalidFirmwareSignature (L01.FR.03, L01.FR.04)."""
    await run.ready()
    signer = await trusted_signer(run)
    since = run.mark()
    run.step("UpdateFirmware with the signature of another image: InvalidSignature")
    offered = offer(run)
    request_id = await update(run, signer, offered, signed=offered.image + b"\n(another image)")
    await firmware_status(run, "Downloading", request_id, since=since)
    await firmware_status(run, "Downloaded", request_id, since=since)
    await firmware_status(run, "InvalidSignature", request_id, since=since)
    await _security_event(run, "InvalidFirmwareSignature", since, "L01.FR.03")
