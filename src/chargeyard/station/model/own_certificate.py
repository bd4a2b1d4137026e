"""The station's own key pair and certificate: the Charging Station Certificate (OCPP 2.0.1
A02/A03), the Charge Point certificate of the 1.6 security extension, both versions alike.

Theory of operation
-------------------
Nothing is held until the central system asks for a certificate: a fleet of thousands of
stations keeps no key each until then. :meth:`OwnCertificate.signing_request` makes a new key
pair (EC P-256, A02.FR.02; 256 bits, above the 224 A00.FR.503 asks) and the CSR that carries its
public key (PKCS#10, PEM, A02.FR.03), signed by the key, its subject the station's identity as
CN (A00.FR.511) and its organization as O (A00.FR.509). The key stays *pending* until a
certificate for it comes. The private key never leaves the station over OCPP (A02.FR.05): the
only way to it is :meth:`OwnCertificate.client_certificate`, for the TLS client of security
profile 3 (A00.FR.401, 402).

:meth:`OwnCertificate.install` checks a CertificateSigned's chain (A02.FR.06: "the period when
the certificate is valid, the properties in Certificate Properties, and that it is part of the
Charging Station Operator certificate hierarchy"):

* one or more PEM certificates, the first the station's, each but the last signed by the next;
* the first is for the pending key, is no CA's, is valid now at the station's clock, and names
  the station's identity as its CN;
* when the station trusts CSMS roots (the store's CSMSRootCertificate, 1.6
  CentralSystemRootCertificate), the chain's last certificate is one of them or is signed by
  one. A station that trusts none (no TLS, nothing installed) has no hierarchy to check it
  against and takes the chain on the rest.

A chain that fails is refused and discarded with the pending key (A02.FR.07; A02.FR.20: no new
request until the central system asks again); one that passes becomes the station's
certificate, replacing the one it held (A02.FR.09: the newest is used; A02.FR.10 allows the old
one to go). The store of CA certificates (``certificates.py``) does not hold it: M03 lists CA
certificates only, and M04.FR.06 refuses to delete this one (:meth:`OwnCertificate.names`).

Like the CA store, it lives with the station's model: a reboot keeps it.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from chargeyard.protocol.certificates import Certificate, same_certificate
from chargeyard.station.model.certificates import HashData

_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "SHA256": hashes.SHA256,
    "SHA384": hashes.SHA384,
    "SHA512": hashes.SHA512,
}


@dataclass(frozen=True, slots=True, eq=False)
class HeldCertificate:
    """The station's certificate as a TLS client presents it (security profile 3), in memory:
    ``station/tls.py`` makes a context of it once (``presenting_context``). Its chain names
    it: two with the same chain are the same (the key is the one the chain certifies)."""

    chain_pem: str
    """The certificate chain as the central system sent it, the station's certificate first."""
    certificate: Certificate
    """The station's certificate."""
    key: ec.EllipticCurvePrivateKey

    def __eq__(self, other: object) -> bool:
        return isinstance(other, HeldCertificate) and other.chain_pem == self.chain_pem

    def __hash__(self) -> int:
        return hash(self.chain_pem)

    def key_pem(self) -> bytes:
        """The private key, PKCS#8 PEM unencrypted, for ``ssl.SSLContext.load_cert_chain``.
        Never log it (A02.FR.05)."""
        return self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )


@dataclass(frozen=True, slots=True)
class Refused:
    """Why a CertificateSigned's chain was refused."""

    reason: str


class OwnCertificate:
    """The station's pending key and its certificate; see the module docstring."""

    __slots__ = ("_held", "_issuer", "_pending")

    def __init__(self) -> None:
        self._pending: ec.EllipticCurvePrivateKey | None = None
        self._held: HeldCertificate | None = None
        self._issuer: Certificate | None = None

    @property
    def pending(self) -> bool:
        """A CSR was made and no certificate for its key came yet."""
        return self._pending is not None

    def signing_request(self, common_name: str, organization: str) -> str:
        """A new key pair, pending from now on, and its CSR as PEM text (A02.FR.02, 03)."""
        key = ec.generate_private_key(ec.SECP256R1())
        names = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
        if organization:
            names.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
        request = (
            x509.CertificateSigningRequestBuilder()
            .subject_name(x509.Name(names))
            .sign(key, hashes.SHA256())
        )
        self._pending = key
        return request.public_bytes(serialization.Encoding.PEM).decode()

    def discard_pending(self) -> None:
        """Forget the pending key (its request was refused, or its certificate)."""
        self._pending = None

    def install(
        self, chain: str, identity: str, roots: Sequence[Certificate], now: float
    ) -> Refused | None:
        """Take ``chain`` as the station's certificate for the pending key (see the module
        docstring); None when taken, else why not (the pending key is then discarded)."""
        key, self._pending = self._pending, None
        try:
            certificates = x509.load_pem_x509_certificates(chain.encode())
        except ValueError:
            return Refused("not a PEM certificate chain")
        refusal = _refusal(certificates, key, identity, roots, now)
        if refusal is not None:
            return Refused(refusal)
        assert key is not None  # _refusal refuses a chain without a pending key
        leaf = Certificate(chain, certificates[0])
        self._held = HeldCertificate(chain, leaf, key)
        self._issuer = _issuer_of(certificates, roots)
        return None

    def client_certificate(self) -> HeldCertificate | None:
        """The station's certificate and key for a TLS client (security profile 3,
        A00.FR.401/402); None while it has none."""
        return self._held

    def names(self, hash_data: HashData) -> bool:
        """Whether ``hash_data`` (a CertificateHashDataType) names the station's certificate.
        Without its issuer's certificate the issuer's key hash cannot be worked out: the
        issuer's name hash and the serial number decide then."""
        held = self._held
        algorithm = hash_data.get("hashAlgorithm")
        if held is None or algorithm not in _HASHES:
            return False
        if self._issuer is not None:
            return same_certificate(held.certificate.hash_data(algorithm, self._issuer), hash_data)
        digest = hashes.Hash(_HASHES[algorithm]())
        digest.update(held.certificate.parsed.issuer.public_bytes())
        own = {
            "hashAlgorithm": algorithm,
            "issuerNameHash": digest.finalize().hex(),
            "issuerKeyHash": hash_data.get("issuerKeyHash", ""),
            "serialNumber": format(held.certificate.parsed.serial_number, "x"),
        }
        return same_certificate(own, hash_data)


def _refusal(
    chain: list[x509.Certificate],
    key: ec.EllipticCurvePrivateKey | None,
    identity: str,
    roots: Sequence[Certificate],
    now: float,
) -> str | None:
    if key is None:
        return "no certificate signing request is pending"
    if not chain:
        return "an empty certificate chain"
    leaf = chain[0]
    if leaf.public_key() != key.public_key():
        return "the certificate is not for the key of the station's request"
    if not leaf.not_valid_before_utc.timestamp() <= now <= leaf.not_valid_after_utc.timestamp():
        return "the certificate is not valid now"
    if _is_ca(leaf):
        return "the certificate is a CA's"
    common_names = [str(a.value) for a in leaf.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]
    if common_names != [identity]:
        return "the certificate's CN is not the station's identity"
    for certificate, issuer in itertools.pairwise(chain):
        if not _issued_by(certificate, issuer):
            return "a certificate of the chain is not signed by the next"
    if roots and _issuer_of(chain, roots) is None:
        return "the chain does not lead to an installed CSMS root"
    return None


def _issuer_of(chain: list[x509.Certificate], roots: Sequence[Certificate]) -> Certificate | None:
    """The certificate that signed the station's: the chain's second, else the installed root
    that signed the chain's last (or is it)."""
    if len(chain) > 1:
        pem = chain[1].public_bytes(serialization.Encoding.PEM).decode()
        return Certificate(pem, chain[1])
    last = chain[-1]
    for root in roots:
        if root.parsed == last or _issued_by(last, root.parsed):
            return root
    return None


def _issued_by(certificate: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        certificate.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _is_ca(certificate: x509.Certificate) -> bool:
    try:
        constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints)
    except x509.ExtensionNotFound:
        return False
    return constraints.value.ca
