"""A private certificate authority for TLS (security profiles 2 and 3): a root, a server
certificate for a central system, and client certificates for stations, written as PEM files
that ``ssl`` loads.

The conformance suite makes its own chain when it plays the central system for a station
(OCPP 2.0.1 part 2 A00.FR.307, 410: the CSMS presents a server certificate; the station
verifies its path to an installed CSMSRootCertificate, A00.FR.308, 411), and a station's
client certificate when it plays a station for a central system of profile 3 (A00.FR.402: the
CN is the station's identity, A00.FR.405). Keys are P-256 (the ECDSA cipher suites of
A00.FR.318); a server certificate names its host in subjectAltName, which TLS clients match
(A00.FR.309, 412), as well as in its commonName.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


@dataclass(frozen=True, slots=True)
class KeyPair:
    """A certificate and its private key, as PEM files."""

    cert_file: Path
    key_file: Path

    @property
    def pem(self) -> str:
        return self.cert_file.read_text()


class CertificateAuthority:
    """A self-signed root that signs server and client certificates into ``directory``.

    Args:
        directory: where the PEM files go (created if missing).
        name: the root's commonName, and the start of its files' names.
        valid_days: how long each certificate it makes is valid, from a day ago.
    """

    def __init__(
        self, directory: Path, name: str = "chargeyard test CA", valid_days: int = 365
    ) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self.valid_days = valid_days
        self._key = ec.generate_private_key(ec.SECP256R1())
        self._name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        builder = self._builder(self._name, self._key.public_key()).add_extension(
            x509.BasicConstraints(ca=True, path_length=None), critical=True
        )
        self._root = builder.sign(self._key, hashes.SHA256())
        self.root_file = directory / "root.pem"
        self.root_file.write_bytes(self._root.public_bytes(serialization.Encoding.PEM))

    @property
    def root_pem(self) -> str:
        """The root certificate as PEM text, as InstallCertificate carries it."""
        return self.root_file.read_text()

    def server(self, host: str = "127.0.0.1", *, file_name: str = "server") -> KeyPair:
        """A server certificate for ``host`` (a name or an address)."""
        try:
            alt: x509.GeneralName = x509.IPAddress(ipaddress.ip_address(host))
        except ValueError:
            alt = x509.DNSName(host)
        return self._issue(
            file_name,
            host,
            [
                (x509.SubjectAlternativeName([alt]), False),
                (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False),
            ],
        )

    def client(self, identity: str, *, file_name: str | None = None) -> KeyPair:
        """A station's client certificate, its commonName ``identity`` (A00.FR.405)."""
        return self._issue(
            file_name or f"client-{len(list(self.directory.glob('client-*.pem')))}",
            identity,
            [(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), False)],
        )

    def _builder(
        self, subject: x509.Name, key: ec.EllipticCurvePublicKey
    ) -> x509.CertificateBuilder:
        """A certificate of ``subject`` that the root signs (the root itself included)."""
        start = datetime.now(UTC) - timedelta(days=1)
        return (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(self._name)
            .public_key(key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(start + timedelta(days=self.valid_days))
        )

    def _issue(
        self, file_name: str, common_name: str, extensions: list[tuple[x509.ExtensionType, bool]]
    ) -> KeyPair:
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
        builder = self._builder(subject, key.public_key()).add_extension(
            x509.BasicConstraints(ca=False, path_length=None), critical=True
        )
        for extension, critical in extensions:
            builder = builder.add_extension(extension, critical=critical)
        certificate = builder.sign(self._key, hashes.SHA256())
        pair = KeyPair(self.directory / f"{file_name}.pem", self.directory / f"{file_name}-key.pem")
        pair.cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
        pair.key_file.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        pair.key_file.chmod(0o600)
        return pair
