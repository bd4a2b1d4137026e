"""The central system's certificate authority: the CA key and certificate that sign the
stations' own certificates (OCPP 2.0.1 A02/A03, the 1.6 security extension's SignCertificate).

A02.FR.04 says a CSMS SHOULD forward the CSR to a dedicated certificate authority rather than
sign it itself; a lab has none to forward to, so the central system is that authority. Its key
and certificate are either given (``--ca-cert``/``--ca-key``: an operator's own CA, which its
stations already trust) or made on first use in the data directory, as the lab's other secrets
are: ``ca-key.pem`` readable by its owner only (mode 600, written atomically), ``ca-cert.pem``
beside it, kept across restarts so that what it signed stays valid.

A certificate it signs (:meth:`CertificateAuthority.sign`) carries the CSR's subject and key,
is valid from a few minutes ago (clocks differ) for ``STATION_CERTIFICATE_DAYS`` but never past
the CA's own end, and is an end entity (BasicConstraints ca=false) whose Key Usage allows what
a TLS client certificate does (A00.FR.512: restrict the usage), with no Extended Key Usage
(A00.FR.514). ECDSA with SHA256 (A00.FR.505, 506) when the CA key is an EC key; RSA keys sign
with PKCS#1 v1.5 and SHA256.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from chargeyard.store.private_files import write_private

CA_KEY_FILE = "ca-key.pem"
CA_CERT_FILE = "ca-cert.pem"
CA_DAYS = 10 * 365
"""How long a CA made on first use is valid."""
STATION_CERTIFICATE_DAYS = 365
"""How long a station's certificate is valid (A03 renews it a month before its end)."""
_BACKDATE = timedelta(minutes=5)

SigningKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


class AuthorityError(ValueError):
    """A CA certificate or key that cannot be used (unreadable, not a CA, not a pair)."""


@dataclass(frozen=True, slots=True)
class CertificateAuthority:
    """A CA certificate and the key that signs with it."""

    certificate: x509.Certificate
    key: SigningKey

    @property
    def pem(self) -> str:
        """The CA certificate as PEM text: what a station installs as its CSMS root to check
        the chains this authority sends."""
        return self.certificate.public_bytes(serialization.Encoding.PEM).decode()

    def sign(self, request: x509.CertificateSigningRequest, now: datetime) -> x509.Certificate:
        """A station certificate for ``request`` (already checked: ``signing_requests.py``)."""
        start = now - _BACKDATE
        end = min(
            start + timedelta(days=STATION_CERTIFICATE_DAYS),
            self.certificate.not_valid_after_utc,
        )
        issuer_key = self.certificate.public_key()
        builder = (
            x509.CertificateBuilder()
            .subject_name(request.subject)
            .issuer_name(self.certificate.subject)
            .public_key(request.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(end)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_END_ENTITY_USAGE, critical=True)
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(request.public_key()), critical=False
            )
        )
        if isinstance(issuer_key, ec.EllipticCurvePublicKey | rsa.RSAPublicKey):
            builder = builder.add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key), critical=False
            )
        return builder.sign(self.key, hashes.SHA256())

    @classmethod
    def load(cls, certificate_path: Path, key_path: Path) -> CertificateAuthority:
        """The CA in two PEM files (the key unencrypted).

        Raises:
            AuthorityError: a file is unreadable, the certificate is not a CA's, or the key is
                not its key.
        """
        try:
            certificate = x509.load_pem_x509_certificate(certificate_path.read_bytes())
            key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        except (OSError, ValueError, TypeError) as error:
            raise AuthorityError(f"cannot read the CA: {error}") from None
        if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
            raise AuthorityError("the CA key is neither an EC nor an RSA key")
        if key.public_key() != certificate.public_key():
            raise AuthorityError("the CA key is not the CA certificate's key")
        try:
            constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints)
        except x509.ExtensionNotFound:
            raise AuthorityError("the CA certificate has no BasicConstraints") from None
        if not constraints.value.ca:
            raise AuthorityError("the CA certificate is not a CA's (BasicConstraints ca=false)")
        return cls(certificate, key)

    @classmethod
    def new(cls, name: str = "chargeyard CSMS CA") -> CertificateAuthority:
        """A CA made now (an EC P-256 key, a self-signed certificate), kept nowhere."""
        return _new_authority(name, datetime.now(UTC))

    @classmethod
    def in_data_dir(
        cls, data_dir: Path, *, name: str = "chargeyard CSMS CA"
    ) -> CertificateAuthority:
        """The CA kept in ``data_dir``, made (an EC P-256 key, a self-signed certificate) on the
        first call."""
        key_path, certificate_path = data_dir / CA_KEY_FILE, data_dir / CA_CERT_FILE
        if key_path.exists() and certificate_path.exists():
            return cls.load(certificate_path, key_path)
        authority = cls.new(name)
        key_pem = authority.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        write_private(key_path, key_pem)
        write_private(certificate_path, authority.pem.encode())
        return authority


def authority_for(
    data_dir: Path, certificate_path: Path | None = None, key_path: Path | None = None
) -> CertificateAuthority:
    """The CA the options name (``--ca-cert`` and ``--ca-key``, both or neither), else the one
    kept in ``data_dir``.

    Raises:
        AuthorityError: one option without the other, or a CA that cannot be used.
    """
    if (certificate_path is None) != (key_path is None):
        raise AuthorityError("--ca-cert and --ca-key go together")
    if certificate_path is not None and key_path is not None:
        return CertificateAuthority.load(certificate_path, key_path)
    return CertificateAuthority.in_data_dir(data_dir)


_END_ENTITY_USAGE = x509.KeyUsage(
    digital_signature=True,
    content_commitment=False,
    key_encipherment=False,
    data_encipherment=False,
    key_agreement=True,
    key_cert_sign=False,
    crl_sign=False,
    encipher_only=False,
    decipher_only=False,
)
_CA_USAGE = x509.KeyUsage(
    digital_signature=False,
    content_commitment=False,
    key_encipherment=False,
    data_encipherment=False,
    key_agreement=False,
    key_cert_sign=True,
    crl_sign=True,
    encipher_only=False,
    decipher_only=False,
)


def _new_authority(name: str, now: datetime) -> CertificateAuthority:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "chargeyard"),
        ]
    )
    start = now - _BACKDATE
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_CA_USAGE, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return CertificateAuthority(certificate, key)
