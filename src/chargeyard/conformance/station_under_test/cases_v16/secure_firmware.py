"""OCPP 1.6 Charge Point cases of the security extension's secure firmware update (L01,
SignedUpdateFirmware): an image signed by the suite's manufacturer installed (TC_080_CS), and
one whose signature does not verify refused (TC_081_CS). The suite installs its manufacturer
root, signs the image it serves (``firmware_signer.py``, ``file_site.py``) and deletes the
root when the case ends."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Final

from chargeyard import loop_clock
from chargeyard.conformance.endings import CaseEnded, NotApplicable
from chargeyard.conformance.exchanges import ReceivedView
from chargeyard.conformance.firmware_signer import FirmwareSigner
from chargeyard.conformance.station_under_test.case_v16 import StationCaseV16
from chargeyard.conformance.station_under_test.cases_v16._registry import case
from chargeyard.conformance.station_under_test.cases_v16.firmware import CHARGEYARD_IMAGE
from chargeyard.conformance.station_under_test.firmware_signing import trusted_signer
from chargeyard.conformance.verdicts import Weight
from chargeyard.protocol.messages import v16

IMAGE = "chargeyard-conformance-signed.bin"
NOTIFICATION: Final = "SignedFirmwareStatusNotification"
_REQUESTS = itertools.count(1601)


def _location(run: StationCaseV16) -> str:
    """The suite's image (the target's own with --firmware), served; its URL."""
    run.bench.files.images[IMAGE] = run.target.firmware or CHARGEYARD_IMAGE
    connection = run.peer.connection
    host = connection.local_host if connection is not None else run.target.host
    return run.bench.files.url(host, f"firmware/{IMAGE}")


async def _signed_update(run: StationCaseV16, signer: FirmwareSigner, signed: bytes) -> int:
    """SignedUpdateFirmware of the suite's image with the signature of ``signed``, retrieved
    and installed two hours ago, tried once: Accepted; returns its requestId."""
    request_id = next(_REQUESTS)
    past = (loop_clock.now() - timedelta(hours=2)).isoformat(timespec="seconds")
    payload: v16.SignedUpdateFirmwareRequest = {
        "requestId": request_id,
        "retries": 0,
        "firmware": {
            "location": _location(run),
            "retrieveDateTime": past.replace("+00:00", "Z"),
            "installDateTime": past.replace("+00:00", "Z"),
            "signingCertificate": signer.certificate,
            "signature": signer.sign(signed),
        },
    }
    answer = await run.ask("SignedUpdateFirmware", payload)
    if answer.error_code in ("NotImplemented", "NotSupported"):
        raise NotApplicable(f"the station has no secure firmware update ({answer.error_code})")
    if not run.log.check(
        "the station answers SignedUpdateFirmware with a CALLRESULT",
        not answer.is_error,
        expected="CALLRESULT",
        observed=f"CALLERROR {answer.error_code}: {answer.error_description}",
    ):
        raise CaseEnded(f"the station answered SignedUpdateFirmware with {answer.error_code}")
    status = answer.payload.get("status") if answer.payload else None
    run.log.check(
        "SignedUpdateFirmware is answered Accepted",
        status == "Accepted",
        expected="Accepted",
        observed=status,
    )
    return request_id


async def _status(
    run: StationCaseV16,
    status: str,
    request_id: int,
    since: int,
    *,
    within: float | None = None,
    reconnects: bool = False,
) -> ReceivedView[v16.SignedFirmwareStatusNotificationRequest]:
    """The SignedFirmwareStatusNotification of ``status``, with the update's requestId
    (L01.FR.10)."""
    item = await run.expect(
        NOTIFICATION,
        where=lambda r: r.payload.get("status") == status,
        what=f"{NOTIFICATION} {status}",
        since=since,
        within=within,
        reconnects=reconnects,
    )
    run.log.check(
        f"{NOTIFICATION} {status} names the update's requestId (L01.FR.10)",
        item.payload.get("requestId") == request_id,
        weight=Weight.SPEC,
        expected=request_id,
        observed=item.payload.get("requestId"),
    )
    return item


async def _security_event(
    run: StationCaseV16, kind: str, since: int, within: float | None = None
) -> None:
    await run.expect(
        "SecurityEventNotification",
        where=lambda r: r.payload.get("type") == kind,
        what=f"SecurityEventNotification {kind}",
        since=since,
        within=within,
    )


@case("TC_080_CS")
async def secure_firmware_update(run: StationCaseV16) -> None:
    """SignedUpdateFirmware of an image the suite signed: Downloading, Downloaded,
    SignatureVerified, Installing, a reboot into it, Installed, and the security event
    FirmwareUpdated (L01.FR.01, L01.FR.04, L01.FR.10)."""
    await run.ready()
    signer = await trusted_signer(run)
    since = run.mark()
    run.step("SignedUpdateFirmware: Downloading, Downloaded, SignatureVerified, Installing")
    image = run.target.firmware or CHARGEYARD_IMAGE
    request_id = await _signed_update(run, signer, image)
    for status in ("Downloading", "Downloaded", "SignatureVerified", "Installing"):
        await _status(run, status, request_id, since, within=2 * run.step_s)
    run.step("The station reboots into the new firmware: Installed, FirmwareUpdated")
    await run.expect("BootNotification", since=since, within=run.target.connect_s, reconnects=True)
    await _status(run, "Installed", request_id, since, within=run.target.connect_s, reconnects=True)
    await _security_event(run, "FirmwareUpdated", since, within=run.target.connect_s)


@case("TC_081_CS")
async def secure_firmware_update_invalid_signature(run: StationCaseV16) -> None:
    """SignedUpdateFirmware with a real signature of another image: Downloading, Downloaded,
    InvalidSignature and the security event InvalidFirmwareSignature (L01.FR.03, L01.FR.04)."""
    await run.ready()
    signer = await trusted_signer(run)
    since = run.mark()
    run.step("SignedUpdateFirmware with the signature of another image: InvalidSignature")
    image = run.target.firmware or CHARGEYARD_IMAGE
    request_id = await _signed_update(run, signer, image + b"\n(another image)")
    for status in ("Downloading", "Downloaded", "InvalidSignature"):
        await _status(run, status, request_id, since, within=2 * run.step_s)
    await _security_event(run, "InvalidFirmwareSignature", since)
