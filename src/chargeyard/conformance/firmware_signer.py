"""The suite as a charging station's manufacturer: a root of its own, a Firmware Signing
certificate that root issues, and the signature of each image the suite serves (OCPP 2.0.1
L01; the 1.6 security extension's SignedUpdateFirmware, its L01).

A station verifies the signing certificate against its installed ManufacturerRootCertificates
(L01.FR.12, L01.FR.21) and the image's signature with that certificate's key (L01.FR.04), so a case
of a secure update against a station first installs the suite's root
(``station_under_test/firmware_signing.py``), then signs what it serves; a case against a CSMS has
the CSMS send a signing certificate and a signature of the suite's
(``csms_under_test/firmware_signing.py``). The root signs the certificate directly: the 1.6
extension forbids intermediate certificates for firmware signing. Keys are P-256 and signatures
ECDSA over the whole image with SHA-256, base64 (FirmwareType.signature); a station that takes only
RSA signatures fails the cases with InvalidSignature, which its report shows.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

MANUFACTURER_ROOT = "ManufacturerRootCertificate"


@dataclass(frozen=True, slots=True)
class FirmwareSigner:
    """A manufacturer root, the signing certificate it issued and that certificate's key."""

    root: str
    certificate: str
    key: ec.EllipticCurvePrivateKey

    def sign(self, image: bytes) -> str:
        """The signature of ``image`` as FirmwareType.signature carries it."""
        return base64.b64encode(self.key.sign(image, ec.ECDSA(hashes.SHA256()))).decode()


def new_signer(common_name: str = "chargeyard conformance manufacturer") -> FirmwareSigner:
    """A fresh root and signing certificate, valid from a day ago for a year."""
    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    root = _certificate(root_name, root_name, root_key, root_key, ca=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{common_name} firmware signing")])
    certificate = _certificate(name, root_name, key, root_key, ca=False)
    return FirmwareSigner(root, certificate, key)


def _certificate(
    subject: x509.Name,
    issuer: x509.Name,
    key: ec.EllipticCurvePrivateKey,
    issuer_key: ec.EllipticCurvePrivateKey,
    *,
    ca: bool,
) -> str:
    start = datetime.now(UTC) - timedelta(days=1)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .sign(issuer_key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM).decode()
