"""Certificates made for the tests: self-signed roots and the certificates they sign, on
small elliptic-curve keys (a few milliseconds each), as PEM text the way InstallCertificate
and CertificateSigned carry them."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import AuthorityInformationAccessOID, NameOID


@dataclass(frozen=True)
class Issued:
    """A certificate made for a test, its PEM text and the key that signs with it."""

    pem: str
    certificate: x509.Certificate
    key: ec.EllipticCurvePrivateKey


def make_root(
    common_name: str = "chargeyard test root",
    *,
    serial: int | None = None,
    valid_days: int = 365,
    not_before: datetime | None = None,
    ocsp: str | None = None,
    crl: str | None = None,
) -> Issued:
    """A self-signed CA certificate, as a CSMS or manufacturer root is; ``ocsp``, ``crl``:
    where its revocation status is told (Authority Information Access, CRL distribution
    point)."""
    key = ec.generate_private_key(ec.SECP256R1())
    return _issue(
        common_name, key, None, serial, valid_days, not_before, ca=True, ocsp=ocsp, crl=crl
    )


def make_signed(
    issuer: Issued,
    common_name: str = "CP-1",
    *,
    serial: int | None = None,
    valid_days: int = 365,
    not_before: datetime | None = None,
    also_named: tuple[str, ...] = (),
    ocsp: str | None = None,
    crl: str | None = None,
) -> Issued:
    """A certificate ``issuer`` signs (a station's own, a sub-CA's, a firmware signer's);
    ``also_named``: more commonNames in its subject after the first; ``ocsp``, ``crl``: as
    :func:`make_root`'s."""
    key = ec.generate_private_key(ec.SECP256R1())
    return _issue(
        common_name,
        key,
        issuer,
        serial,
        valid_days,
        not_before,
        ca=False,
        also_named=also_named,
        ocsp=ocsp,
        crl=crl,
    )


def write_pem(issued: Issued, directory: Path, name: str) -> tuple[Path, Path]:
    """``issued``'s certificate and key as PEM files in ``directory``, as ``ssl`` loads them:
    (certificate file, key file)."""
    directory.mkdir(parents=True, exist_ok=True)
    cert_file, key_file = directory / f"{name}.pem", directory / f"{name}-key.pem"
    cert_file.write_text(issued.pem)
    key_file.write_bytes(
        issued.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


def sign_image(signer: Issued, image: bytes) -> str:
    """A firmware signature as a secure update carries it: ECDSA over ``image`` with SHA-256,
    base64."""
    return base64.b64encode(signer.key.sign(image, ec.ECDSA(hashes.SHA256()))).decode()


def _issue(
    common_name: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: Issued | None,
    serial: int | None,
    valid_days: int,
    not_before: datetime | None,
    *,
    ca: bool,
    also_named: tuple[str, ...] = (),
    ocsp: str | None = None,
    crl: str | None = None,
) -> Issued:
    subject = x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, name) for name in (common_name, *also_named)]
    )
    start = not_before or datetime.now(UTC) - timedelta(minutes=5)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.certificate.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(serial if serial is not None else x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=valid_days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if ocsp is not None:
        where = x509.AccessDescription(
            AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(ocsp)
        )
        builder = builder.add_extension(x509.AuthorityInformationAccess([where]), critical=False)
    if crl is not None:
        point = x509.DistributionPoint([x509.UniformResourceIdentifier(crl)], None, None, None)
        builder = builder.add_extension(x509.CRLDistributionPoints([point]), critical=False)
    certificate = builder.sign(issuer.key if issuer else key, hashes.SHA256())
    pem = certificate.public_bytes(serialization.Encoding.PEM).decode()
    return Issued(pem, certificate, key)


def make_csr(
    common_name: str = "CP-1",
    organization: str | None = "chargeyard",
    key: ec.EllipticCurvePrivateKey | None = None,
) -> tuple[str, ec.EllipticCurvePrivateKey]:
    """A PEM certificate signing request as SignCertificate carries it, and its key."""
    key = key or ec.generate_private_key(ec.SECP256R1())
    names = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if organization is not None:
        names.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    request = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name(names))
        .sign(key, hashes.SHA256())
    )
    return request.public_bytes(serialization.Encoding.PEM).decode(), key


def sign_csr(
    issuer: Issued,
    csr: str,
    *,
    not_before: datetime | None = None,
    valid_days: int = 365,
    public_key: ec.EllipticCurvePublicKey | None = None,
) -> str:
    """The PEM certificate ``issuer`` signs for a CSR, as CertificateSigned carries it;
    ``public_key`` in place of the CSR's makes one that is not for the station's key."""
    request = x509.load_pem_x509_csr(csr.encode())
    start = not_before or datetime.now(UTC) - timedelta(minutes=5)
    key = public_key or request.public_key()
    assert isinstance(key, ec.EllipticCurvePublicKey)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(request.subject)
        .issuer_name(issuer.certificate.subject)
        .public_key(key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=valid_days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(issuer.key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM).decode()
