"""The CA certificates a station trusts: its certificate store, the same for both versions.

Theory of operation
-------------------
Certificate management without TLS (OCPP 1.6 security extension, InstallCertificate,
GetInstalledCertificateIds and DeleteCertificate; OCPP 2.0.1 M03, M04, M05) is bookkeeping: the
central system installs root certificates, each of a type (1.6 CertificateUseEnumType, 2.0.1
InstallCertificateUseEnumType: the version's own words, kept as given), asks which are
installed, by their CertificateHashDataType (``protocol/certificates.py``), and deletes one by
those hashes. Each version's block maps the outcomes below to its messages.

Installing (M05.FR.01 and the 1.6 security extension alike):

* a text that is not one PEM certificate, one that is not a CA's (BasicConstraints without
  ca), or one outside its validity at the station's clock is invalid: REJECTED, reason
  InvalidCertificate (M05.FR.07; 1.6 InstallCertificateStatusEnumType Rejected: "invalid
  and/or incorrect");
* the same certificate again (the same type and hashes) replaces the one installed: ACCEPTED
  (M05.FR.17), without taking a second place;
* a new certificate when the store holds ``max_entries`` already: REJECTED, reason
  OutOfStorage (M05.FR.06; 1.6 Rejected: "more certificates than allowed", the configuration
  key CertificateStoreMaxLength);
* otherwise ACCEPTED (M05.FR.02).

A certificate is found for deletion by its hashes computed with the algorithm the request
names (M04.FR.07: the one GetInstalledCertificateIds reported), its serial compared without
leading zeroes (``same_certificate``). The station's own certificate is not in this store
(``own_certificate.py``; each version's block refuses its deletion, M04.FR.06), and the store
keeps no root in use for a TLS connection (1.6: "currently in use" must not be deleted), so
every certificate found is deleted.

The store lives with the station's model: a reboot keeps it, as a real station keeps its
trust store in non-volatile memory.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from cryptography import x509

from chargeyard.protocol.certificates import (
    Certificate,
    CertificateError,
    HashAlgorithm,
    read_certificate,
    same_certificate,
)
from chargeyard.protocol.messages import v16, v201

DEFAULT_MAX_ENTRIES = 20
"""How many certificates a station holds when its template does not say (1.6
CertificateStoreMaxLength, 2.0.1 SecurityCtrlr.CertificateEntries' maxLimit)."""


class InstallStatus(StrEnum):
    """The outcome of an installation (both versions' status words)."""

    ACCEPTED = "Accepted"
    REJECTED = "Rejected"


# What names an installed certificate in either version's requests (the same four fields).
HashData = v16.CertificateHashDataType | v201.CertificateHashDataType


@dataclass(frozen=True, slots=True)
class InstallOutcome:
    """What an installation came to, and why when refused (2.0.1 statusInfo reasonCode)."""

    status: InstallStatus
    reason: str | None = None
    detail: str | None = None


@dataclass(frozen=True, slots=True)
class Installed:
    """One certificate in the store, with the type it was installed as."""

    kind: str
    certificate: Certificate

    def hash_data(self, algorithm: HashAlgorithm = "SHA256") -> v201.CertificateHashDataType:
        return self.certificate.hash_data(algorithm)


class CertificateStore:
    """The station's installed CA certificates, in the order they came.

    Args:
        max_entries: how many it holds at most.
    """

    __slots__ = ("_installed", "max_entries")

    def __init__(self, max_entries: int = DEFAULT_MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self._installed: list[Installed] = []

    def __len__(self) -> int:
        return len(self._installed)

    def of(self, kinds: Collection[str] | None = None) -> list[Installed]:
        """The certificates installed as one of ``kinds`` (None: all), in installation order."""
        return [item for item in self._installed if kinds is None or item.kind in kinds]

    def install(self, kind: str, pem: str, now: float) -> InstallOutcome:
        """Install ``pem`` as a ``kind`` (see the module docstring); ``now`` is the station's
        clock, as a POSIX timestamp."""
        try:
            certificate = read_certificate(pem)
        except CertificateError as error:
            return InstallOutcome(InstallStatus.REJECTED, "InvalidCertificate", str(error))
        refusal = _invalid(certificate, now)
        if refusal is not None:
            return InstallOutcome(InstallStatus.REJECTED, "InvalidCertificate", refusal)
        new = Installed(kind, certificate)
        names = new.hash_data()
        for index, item in enumerate(self._installed):
            if item.kind == kind and same_certificate(item.hash_data(), names):
                self._installed[index] = new  # M05.FR.17: replaced, in its place
                return InstallOutcome(InstallStatus.ACCEPTED)
        if len(self._installed) >= self.max_entries:
            return InstallOutcome(
                InstallStatus.REJECTED,
                "OutOfStorage",
                f"the store holds its maximum of {self.max_entries} certificates",
            )
        self._installed.append(new)
        return InstallOutcome(InstallStatus.ACCEPTED)

    def find(self, hash_data: HashData) -> Installed | None:
        """The certificate ``hash_data`` names, hashed with its own hashAlgorithm."""
        algorithm = hash_data.get("hashAlgorithm")
        if algorithm not in ("SHA256", "SHA384", "SHA512"):
            return None
        for item in self._installed:
            if same_certificate(item.hash_data(algorithm), hash_data):
                return item
        return None

    def delete(self, hash_data: HashData) -> bool:
        """Delete the certificate ``hash_data`` names; False when none is installed."""
        found = self.find(hash_data)
        if found is None:
            return False
        self._installed.remove(found)
        return True


def _invalid(certificate: Certificate, now: float) -> str | None:
    """Why ``certificate`` cannot be a trusted root or CA now; None when it can."""
    if now < certificate.valid_from:
        return "not valid yet"
    if now > certificate.expired_at:
        return "expired"
    try:
        constraints = certificate.parsed.extensions.get_extension_for_class(x509.BasicConstraints)
    except x509.ExtensionNotFound:
        # An X.509 v1 root has no extensions; only a self-signed one may pass as a CA.
        return None if certificate.self_signed else "not a CA certificate"
    return None if constraints.value.ca else "not a CA certificate"
