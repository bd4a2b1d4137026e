"""OCPP 2.1 GetCertificateChainStatus, the station's side: the revocation status of a
certificate chain, asked of the central system.

A station that cannot reach an OCSP responder or a CRL itself asks its central system, which
can (2.1 GetCertificateChainStatusRequest: up to four CertificateStatusRequestInfoType, each a
certificate's CertificateHashDataType, the source to ask, OCSP or CRL, and its URLs). Its use is
ISO 15118 Plug & Charge: the contract certificate chain an EV presents. The simulated EV speaks
no ISO 15118, so a chain is handed to the station (:meth:`CertificateChainStatusV21.check`,
the gateway's ``check-certificate-chain``), leaf first, as the EV would present it.

Each certificate is named by the hashes OCSP's CertID uses (``protocol/certificates.py``,
RFC 6960 section 4.1.1): its issuer is the next certificate of the chain; the last one is its
own issuer when it is a root, else an issuer among the CA certificates the station trusts
(``model/certificates.py``) must be found. Its source is the OCSP responder its Authority
Information Access names, else its CRL distribution points (RFC 5280 sections 4.2.2.1 and
4.2.1.13); a certificate that names neither cannot be asked about. Everything is checked
before anything is sent. The answer, each certificate's status (Good, Revoked, Unknown,
Failed) and when it is next updated, is kept as the last check's and told in the station's log.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cryptography import x509
from cryptography.x509.oid import AuthorityInformationAccessOID

from chargeyard.protocol import ErrorKind, OcppError
from chargeyard.protocol.certificates import Certificate, read_certificates
from chargeyard.protocol.messages import v21
from chargeyard.station.blocks import Block

if TYPE_CHECKING:
    from chargeyard.station.v21 import StationV21

MAX_CERTIFICATES = 4
"""GetCertificateChainStatusRequest's certificateStatusRequests: at most 4."""
_MAX_URLS = 5  # CertificateStatusRequestInfoType.urls: at most 5


@dataclass(frozen=True, slots=True)
class CertificateStatus:
    """One certificate's status as the central system answered it."""

    serial_number: str
    source: str
    status: str
    next_update: str


class CertificateChainStatusV21(Block["StationV21"]):
    """GetCertificateChainStatus; see the module docstring."""

    __slots__ = ("last",)

    def __init__(self, station: StationV21) -> None:
        super().__init__(station)
        self.last: list[CertificateStatus] | None = None
        """The statuses of the last check answered (None: none yet)."""

    def check(self, chain_pem: str) -> list[v21.CertificateStatusRequestInfoType]:
        """Ask the central system the status of each certificate of ``chain_pem`` (PEM, leaf
        first); returns what was asked.

        Raises:
            ValueError: not 1 to 4 PEM certificates, a certificate not issued by the next, a
                last one whose issuer the station does not trust, or one that names no OCSP
                responder or CRL; nothing is sent.
            OcppError: the station is offline; nothing is sent.
        """
        chain = _certificates(chain_pem)
        asked = [
            _request_info(certificate, self._issuer_of(chain, index))
            for index, certificate in enumerate(chain)
        ]
        request: v21.GetCertificateChainStatusRequest = {"certificateStatusRequests": asked}

        def answered(answer: Mapping[str, Any]) -> None:
            statuses = [
                CertificateStatus(
                    item["certificateHashData"]["serialNumber"],
                    item["source"],
                    item["status"],
                    item["nextUpdate"],
                )
                for item in answer["certificateStatus"]
            ]
            self.last = statuses
            told = ", ".join(f"{s.serial_number} {s.status}" for s in statuses)
            self.station.note(f"certificate chain status: {told}")

        def failed(error: object) -> None:
            self.station.note(
                f"certificate chain status: GetCertificateChainStatus failed ({error})"
            )

        if not self.station.call(
            "GetCertificateChainStatus", request, on_result=answered, on_error=failed
        ):
            raise OcppError(
                ErrorKind.GENERIC_ERROR,
                "the station is offline: the certificate chain cannot be checked",
            )
        return asked

    def _issuer_of(self, chain: list[Certificate], index: int) -> Certificate:
        certificate = chain[index]
        if index + 1 < len(chain):
            issuer = chain[index + 1]
            if certificate.parsed.issuer != issuer.parsed.subject:
                raise ValueError(
                    f"certificate {index + 1} of the chain is not issued by the next"
                    f" ({certificate.parsed.issuer.rfc4514_string()} is not"
                    f" {issuer.parsed.subject.rfc4514_string()})"
                )
            return issuer
        if certificate.self_signed:
            return certificate
        for trusted in self.station.model.certificates.of():
            if trusted.certificate.parsed.subject == certificate.parsed.issuer:
                return trusted.certificate
        raise ValueError(
            f"the chain ends with a certificate of {certificate.parsed.issuer.rfc4514_string()},"
            " an issuer the station does not trust: add it to the chain or install it"
        )


def _certificates(chain_pem: str) -> list[Certificate]:
    chain = read_certificates(chain_pem)  # CertificateError is a ValueError
    if len(chain) > MAX_CERTIFICATES:
        raise ValueError(
            f"{len(chain)} certificates: GetCertificateChainStatus asks about 1 to"
            f" {MAX_CERTIFICATES}"
        )
    return chain


def _request_info(
    certificate: Certificate, issuer: Certificate
) -> v21.CertificateStatusRequestInfoType:
    source, urls = _revocation_source(certificate.parsed)
    hash_data = certificate.hash_data("SHA256", issuer)
    return {"certificateHashData": hash_data, "source": source, "urls": urls}


def _revocation_source(
    certificate: x509.Certificate,
) -> tuple[v21.CertificateStatusSourceEnumType, list[str]]:
    """Where ``certificate``'s status is told: its OCSP responders, else its CRLs."""
    extensions = certificate.extensions
    try:
        access = extensions.get_extension_for_class(x509.AuthorityInformationAccess)
    except x509.ExtensionNotFound:
        pass
    else:
        responders = [
            description.access_location.value
            for description in access.value
            if description.access_method == AuthorityInformationAccessOID.OCSP
            and isinstance(description.access_location, x509.UniformResourceIdentifier)
        ]
        if responders:
            return "OCSP", responders[:_MAX_URLS]
    try:
        points = extensions.get_extension_for_class(x509.CRLDistributionPoints)
    except x509.ExtensionNotFound:
        pass
    else:
        crls = [
            name.value
            for point in points.value
            for name in point.full_name or ()
            if isinstance(name, x509.UniformResourceIdentifier)
        ]
        if crls:
            return "CRL", crls[:_MAX_URLS]
    serial = format(certificate.serial_number, "x")
    raise ValueError(
        f"certificate {serial} names no OCSP responder and no CRL: its status cannot be asked"
    )


__all__ = ["MAX_CERTIFICATES", "CertificateChainStatusV21", "CertificateStatus"]
