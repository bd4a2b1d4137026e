"""X.509 certificates as OCPP names them: a PEM text read, and its CertificateHashDataType.

Certificate management (OCPP 1.6 security extension, sections on InstallCertificate,
GetInstalledCertificateIds and DeleteCertificate; OCPP 2.0.1 M03, M04, M05) identifies a
certificate by four fields, never by its text:

* ``hashAlgorithm``: SHA256, SHA384 or SHA512;
* ``issuerNameHash``: the hash of the DER encoding of the issuer's distinguished name;
* ``issuerKeyHash``: the hash of the issuer's public key, the bits of its
  subjectPublicKey without the BIT STRING's tag, length and unused-bits count (as OCSP's
  CertID does, RFC 6960 section 4.1.1, which the 2.0.1 data type follows);
* ``serialNumber``: the serial number in hexadecimal, lower case, without leading zeroes
  (2.0.1 part 2, CertificateHashDataType: "without leading zeroes").

The issuer's key is the certificate's own for a self-signed root (what InstallCertificate
carries); for another certificate it is that of the issuer given, when one is.
Both ends use this module: the simulated station to list and delete what it keeps, the
central system and the conformance suite to name what they expect.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509 import ocsp

from chargeyard.protocol.messages import v201

HashAlgorithm = Literal["SHA256", "SHA384", "SHA512"]
_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "SHA256": hashes.SHA256,
    "SHA384": hashes.SHA384,
    "SHA512": hashes.SHA512,
}
MAX_PEM_CHARS = 5500
"""The longest certificate text InstallCertificate and CertificateSigned carry (both
versions' schemas: maxLength 5500)."""


class CertificateError(ValueError):
    """A text that is not one PEM-encoded X.509 certificate."""


@dataclass(frozen=True, slots=True)
class Certificate:
    """One parsed certificate and the PEM text it came from."""

    pem: str
    parsed: x509.Certificate

    @property
    def self_signed(self) -> bool:
        """Whether the certificate names itself as its issuer (a root)."""
        return self.parsed.issuer == self.parsed.subject

    @property
    def expired_at(self) -> float:
        """When the certificate stops being valid, as a POSIX timestamp."""
        return self.parsed.not_valid_after_utc.timestamp()

    @property
    def valid_from(self) -> float:
        """When the certificate starts being valid, as a POSIX timestamp."""
        return self.parsed.not_valid_before_utc.timestamp()

    def hash_data(
        self, algorithm: HashAlgorithm = "SHA256", issuer: Certificate | None = None
    ) -> v201.CertificateHashDataType:
        """The certificate's CertificateHashDataType (see the module docstring).

        Args:
            algorithm: the hash to use.
            issuer: the certificate that signed this one; a root's own key is used without it.
        """
        signer = issuer.parsed if issuer is not None else self.parsed
        # OCSP's CertID is exactly these hashes (RFC 6960 section 4.1.1).
        request = (
            ocsp.OCSPRequestBuilder()
            .add_certificate(self.parsed, signer, _HASHES[algorithm]())
            .build()
        )
        return {
            "hashAlgorithm": algorithm,
            "issuerNameHash": request.issuer_name_hash.hex(),
            "issuerKeyHash": request.issuer_key_hash.hex(),
            "serialNumber": format(self.parsed.serial_number, "x"),
        }


def read_certificates(text: str) -> list[Certificate]:
    """The certificates of a PEM text, in its order (a chain: leaf first).

    Raises:
        CertificateError: the text holds no PEM-encoded X.509 certificate, or an unreadable one.
    """
    if "-----BEGIN CERTIFICATE-----" not in text:
        raise CertificateError("not a PEM certificate (no BEGIN CERTIFICATE line)")
    try:
        certificates = x509.load_pem_x509_certificates(text.encode())
    except ValueError as error:
        raise CertificateError(f"not a readable X.509 certificate: {error}") from None
    return [Certificate(text, certificate) for certificate in certificates]


def read_certificate(text: str) -> Certificate:
    """The one certificate of a PEM text.

    Raises:
        CertificateError: the text is not one PEM-encoded X.509 certificate.
    """
    certificates = read_certificates(text)
    if len(certificates) != 1:
        raise CertificateError(f"{len(certificates)} certificates where one was expected")
    return certificates[0]


def same_certificate(a: Mapping[str, object], b: Mapping[str, object]) -> bool:
    """Whether two CertificateHashDataTypes name the same certificate: the same algorithm and
    hashes (hexadecimal in either case) and the same serial number (leading zeroes aside)."""
    fields = ("hashAlgorithm", "issuerNameHash", "issuerKeyHash")
    if any(str(a.get(field, "")).lower() != str(b.get(field, "")).lower() for field in fields):
        return False
    return _serial(a) == _serial(b)


def _serial(hash_data: Mapping[str, object]) -> str:
    return str(hash_data.get("serialNumber", "")).lower().lstrip("0") or "0"
