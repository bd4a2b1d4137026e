"""What the CSMS cases of the secure firmware update ask the CSMS to send (OCPP 2.0.1 L01;
the 1.6 security extension's SignedUpdateFirmware): a Firmware Signing certificate of a
manufacturer root the suite makes, and that certificate's real signature of the image named,
so a CSMS that reads them (L01.FR.11: it includes the certificate) finds a valid PEM
certificate and a base64 signature. The suite playing the station verifies nothing: what it
answers is the case's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chargeyard.conformance.firmware_signer import new_signer

LOCATION = "https://firmware.example/chargeyard-signed-3.0.bin"
_SIGNER = new_signer("chargeyard conformance CSMS-side manufacturer")
SIGNING_CERTIFICATE = _SIGNER.certificate
SIGNATURE = _SIGNER.sign(b"chargeyard-firmware 3.0\n")


def firmware(**times: str) -> dict[str, str]:
    """A FirmwareType of :data:`LOCATION`, retrieved now unless ``times`` say otherwise."""
    now = datetime.now(UTC) - timedelta(seconds=1)
    return {
        "location": LOCATION,
        "retrieveDateTime": now.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "signingCertificate": SIGNING_CERTIFICATE,
        "signature": SIGNATURE,
        **times,
    }
