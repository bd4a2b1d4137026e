"""A signed firmware image checked as a station checks it: the signing certificate against the
installed manufacturer roots, then the image's signature with that certificate's key.

Theory of operation
-------------------
A secure update (OCPP 2.0.1 L01; the 1.6 security extension's SignedUpdateFirmware, its L01)
carries a Firmware Signing certificate and a signature over the image. Both versions ask the
same two checks; each version's block maps their outcome to its messages:

* :func:`signing_certificate_refusal`, when the request arrives (2.0.1 L01.FR.21): the
  certificate must be one readable PEM certificate, valid at the station's clock, issued by a
  ManufacturerRootCertificate the station has installed (L01.FR.12: "the rules for X.509
  certificates"; the 1.6 extension: "The manufacturer SHALL NOT use intermediate certificates
  for the firmware signing certificate", so the root signs it directly). A certificate that
  "is not valid or could not be verified" is InvalidCertificate (L01 scenario step 3,
  L01.FR.22): a station without a ManufacturerRootCertificate can verify none, so it refuses
  every secure update until one is installed, as a real station with an empty trust store does.
* :func:`signature_refusal`, once the image is downloaded (L01.FR.04): the signature is base64
  over the whole image, SHA-256, with the certificate's key. L01.FR.04 names RSA-PSS or
  "ECSchnorr"; what manufacturers and OCPP tools sign with is RSA (PSS or PKCS #1 v1.5) and
  ECDSA, so an RSA key's signature is accepted in either padding and an EC key's as ECDSA. No
  signature, one that is not base64, or one that does not verify is InvalidSignature (the 1.6
  extension: "if the verification of the firmware fails or if a signature is missing
  entirely").

RevokedCertificate (UpdateFirmwareStatusEnumType) is never the outcome: the Firmware Signing
certificate's revocation is checked online (2.0.1 part 2, "Certificate Revocation": online
verification, OCSP), which a simulated station has no responder for.
"""

from __future__ import annotations

import base64
import binascii

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from chargeyard.protocol.certificates import Certificate, CertificateError, read_certificate
from chargeyard.station.model.certificates import CertificateStore

MANUFACTURER_ROOT = "ManufacturerRootCertificate"
"""The certificate type of a manufacturer root (1.6 CertificateUseEnumType, 2.0.1
InstallCertificateUseEnumType alike)."""


def signing_certificate_refusal(pem: str | None, store: CertificateStore, now: float) -> str | None:
    """Why ``pem`` cannot sign firmware for this station; None when it can.

    Args:
        pem: the request's signingCertificate (None: it has none).
        store: the station's installed certificates.
        now: the station's clock, as a POSIX timestamp.
    """
    if pem is None:
        return "no signing certificate"
    try:
        certificate = read_certificate(pem)
    except CertificateError as error:
        return str(error)
    if now < certificate.valid_from:
        return "the signing certificate is not valid yet"
    if now > certificate.expired_at:
        return "the signing certificate has expired"
    roots = store.of([MANUFACTURER_ROOT])
    if not roots:
        return "no ManufacturerRootCertificate is installed"
    for root in roots:
        if _issued_by(certificate, root.certificate, now):
            return None
    return "not issued by an installed ManufacturerRootCertificate"


def signature_refusal(image: bytes, signature: str | None, pem: str) -> str | None:
    """Why ``signature`` is not the signature of ``image`` by ``pem``'s key; None when it is.

    ``pem`` is a signing certificate :func:`signing_certificate_refusal` let through.
    """
    if not signature:
        return "no signature"
    try:
        raw = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError):
        return "the signature is not base64"
    key = read_certificate(pem).parsed.public_key()
    try:
        if isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(raw, image, ec.ECDSA(hashes.SHA256()))
            return None
        if isinstance(key, rsa.RSAPublicKey):
            return _rsa_refusal(key, raw, image)
    except InvalidSignature:
        return "the signature does not verify"
    return f"a {type(key).__name__} key signs no firmware this station verifies"


def _rsa_refusal(key: rsa.RSAPublicKey, raw: bytes, image: bytes) -> str | None:
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.AUTO)
    for scheme in (pss, padding.PKCS1v15()):
        try:
            key.verify(raw, image, scheme, hashes.SHA256())
        except InvalidSignature:
            continue
        return None
    return "the signature does not verify"


def _issued_by(certificate: Certificate, root: Certificate, now: float) -> bool:
    """Whether ``root``, valid now, signed ``certificate``."""
    if not root.valid_from <= now <= root.expired_at:
        return False
    try:
        certificate.parsed.verify_directly_issued_by(root.parsed)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True
