"""What the CSMS cases of the secure firmware update ask the CSMS to send (OCPP 2.0.1 L01;
the 1.6 security extension's SignedUpdateFirmware): a Firmware Signing certificate of a
manufacturer root the suite makes, and that certificate's real signature of the image named,
so a CSMS that reads them (L01.FR.11: it includes the certificate) finds a valid PEM
certificate and a base64 signature. The suite playing the station verifies nothing: what it
answers is the case's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache

from chargeyard.conformance.firmware_signer import FirmwareSigner, new_signer
from chargeyard.protocol.messages import v16

LOCATION = "https://firmware.example/chargeyard-signed-3.0.bin"
IMAGE = b"chargeyard-firmware 3.0\n"


@cache
def _signer() -> FirmwareSigner:
    """One signer for the run, made when a case first needs it."""
    return new_signer("chargeyard conformance CSMS-side manufacturer")


def firmware() -> v16.FirmwareType:
    """A FirmwareType of :data:`LOCATION`, retrieved now (1.6 security extension's shape,
    which 2.0.1's allows: its certificate and signature optional)."""
    now = datetime.now(UTC) - timedelta(seconds=1)
    signer = _signer()
    return {
        "location": LOCATION,
        "retrieveDateTime": now.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "signingCertificate": signer.certificate,
        "signature": signer.sign(IMAGE),
    }
