"""The suite as the CSMS that signs a charging station's own certificate: the moves of the
station cases of OCPP 2.0.1 A02 (Part 6's Reusable State RenewChargingStationCertificate) and of
the 1.6 security extension's "Update Charge Point Certificate by request of Central System".

The suite is its own certificate authority: each case makes a root (:class:`SuiteAuthority`,
P-256, valid from a day ago for a year) and installs it as the station's CSMS root
(CertificateInstalled: 2.0.1 CSMSRootCertificate, 1.6 CentralSystemRootCertificate; deleted
when the case ends), so that a station that checks the chain against its CSMS roots (A02.FR.06)
finds it there. A station that does not implement InstallCertificate is still asked: it then
has no root to check the chain against.

:func:`requested` asks for the renewal (2.0.1 TriggerMessage SignChargingStationCertificate,
F06; 1.6 ExtendedTriggerMessage SignChargePointCertificate), which must be Accepted, answers
the station's SignCertificate as the case says and checks its CSR (Part 6's tool validations:
RFC 2986, PEM, an RSA key of 2048 bits or an elliptic curve of 224 at least). The certificate
signed for it (:meth:`SuiteAuthority.sign`) carries the CSR's subject and key; an invalid one
(:meth:`SuiteAuthority.sign_other_key`) is the same for another key, which a station must
refuse (A02.FR.07).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from chargeyard.conformance.endings import CaseEnded, NotApplicable
from chargeyard.conformance.exchanges import ReceivedView
from chargeyard.conformance.station_under_test.case import StationCase
from chargeyard.conformance.station_under_test.certificates import install
from chargeyard.conformance.station_under_test.preconditions import Mark
from chargeyard.conformance.verdicts import Weight
from chargeyard.protocol import V16, V21, V201, VersionTable

STATION_CERTIFICATE = "ChargingStationCertificate"


@dataclass(frozen=True, slots=True)
class _Words:
    """How a version asks for the renewal, names its CSMS root and its security event."""

    trigger: str
    requested: str
    root: str
    certificate_type: str | None
    invalid_event: str


# 2.1 keeps A02's trigger, A05's root and the security event of A03.
_WORDS_2 = _Words(
    "TriggerMessage",
    "SignChargingStationCertificate",
    "CSMSRootCertificate",
    STATION_CERTIFICATE,
    "InvalidChargingStationCertificate",
)

WORDS: VersionTable[_Words] = VersionTable(
    "how the suite asks a station to renew its certificate",
    {
        V16: _Words(
            "ExtendedTriggerMessage",
            "SignChargePointCertificate",
            "CentralSystemRootCertificate",
            None,
            "InvalidChargePointCertificate",
        ),
        V201: _WORDS_2,
        V21: _WORDS_2,
    },
)


class SuiteAuthority:
    """A root the suite makes for a case, and the key that signs with it."""

    def __init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "chargeyard conformance CA")])
        start = datetime.now(UTC) - timedelta(days=1)
        self.certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(start + timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .sign(self.key, hashes.SHA256())
        )
        self.pem = self.certificate.public_bytes(serialization.Encoding.PEM).decode()

    def sign(self, csr: str) -> str:
        """A PEM certificate of the CSR's subject and key, signed by this root."""
        request = x509.load_pem_x509_csr(csr.encode())
        return self._issue(request.subject, request.public_key())

    def sign_other_key(self, csr: str) -> str:
        """The same for a key the station never made: invalid for it (A02.FR.07)."""
        request = x509.load_pem_x509_csr(csr.encode())
        return self._issue(request.subject, ec.generate_private_key(ec.SECP256R1()).public_key())

    def _issue(self, subject: x509.Name, public_key: object) -> str:
        if not isinstance(public_key, ec.EllipticCurvePublicKey | rsa.RSAPublicKey):
            raise CaseEnded("the CSR's key is neither RSA nor elliptic-curve: nothing to sign")
        now = datetime.now(UTC)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(self.certificate.subject)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .sign(self.key, hashes.SHA256())
        )
        return certificate.public_bytes(serialization.Encoding.PEM).decode()


async def authority_installed(run: StationCase) -> SuiteAuthority:
    """A new root of the suite, installed as the station's CSMS root where it takes one."""
    authority = SuiteAuthority()
    words = WORDS[run.version]
    run.step(f"CertificateInstalled: the CSMS installs its root as a {words.root}")
    try:
        status = await install(run, words.root, authority.pem)
    except NotApplicable:
        run.log.check(
            "the station keeps no CSMS root to check the chain against (no InstallCertificate)",
            True,
            weight=Weight.SPEC,
        )
        return authority
    run.log.check(
        "InstallCertificate is answered Accepted",
        status == "Accepted",
        expected="Accepted",
        observed=status,
    )
    return authority


async def requested(run: StationCase, sign_answer: str = "Accepted") -> str:
    """The CSMS asks for the renewal; the station's SignCertificate is answered
    ``sign_answer``. Returns its CSR."""
    words = WORDS[run.version]
    run.answer_with("SignCertificate", lambda call, books: {"status": sign_answer})
    run.step(f"The CSMS asks for a new certificate: {words.trigger} {words.requested}")
    asked = run.mark()  # the request follows the answer at once (F06): it is in from here
    await run.order(words.trigger, {"requestedMessage": words.requested}, "Accepted")
    run.step(f"The station sends SignCertificate with a CSR; the CSMS answers {sign_answer}")
    received = await run.expect("SignCertificate", since=asked)
    return csr_checked(run, received)


def csr_checked(run: StationCase, received: ReceivedView[Mapping[str, object]]) -> str:
    """The CSR of a SignCertificate, held to Part 6's tool validations."""
    text = received.call.payload.get("csr")
    try:
        request = x509.load_pem_x509_csr(str(text).encode())
    except ValueError:
        run.log.check(
            "SignCertificate's csr is a PEM-encoded PKCS#10 request (RFC 2986)",
            False,
            expected="-----BEGIN CERTIFICATE REQUEST-----",
            observed=str(text)[:80],
        )
        raise CaseEnded("the station sent no readable CSR") from None
    run.log.check(
        "SignCertificate's csr is a PEM-encoded PKCS#10 request (RFC 2986)",
        request.is_signature_valid,
        expected="a request signed by its own key",
        observed="signed by its key" if request.is_signature_valid else "a bad signature",
    )
    key = request.public_key()
    bits = key.key_size if isinstance(key, rsa.RSAPublicKey) else None
    if isinstance(key, ec.EllipticCurvePublicKey):
        bits = key.curve.key_size
    least = 2048 if isinstance(key, rsa.RSAPublicKey) else 224
    run.log.check(
        f"the CSR's key is long enough ({least} bits at least)",
        bits is not None and bits >= least,
        expected="RSA of 2048 bits or EC of 224 at least",
        observed=f"{type(key).__name__} of {bits} bits",
    )
    words = WORDS[run.version]
    if words.certificate_type is not None:
        kind = received.call.payload.get("certificateType")
        run.log.check(
            f"SignCertificate's certificateType is {words.certificate_type} or absent (A02.FR.13)",
            kind in (None, words.certificate_type),
            weight=Weight.SPEC,
            expected=words.certificate_type,
            observed=kind,
        )
    return str(text)


async def signed(run: StationCase, chain: str, status: str) -> None:
    """CertificateSigned of ``chain``, answered ``status``; one the station took stays its
    certificate, which the suite cannot take back (``preconditions.py``)."""
    words = WORDS[run.version]
    payload = {"certificateChain": chain}
    if words.certificate_type is not None:
        payload["certificateType"] = words.certificate_type
    answer = await run.order("CertificateSigned", payload, status)
    if answer.get("status") == "Accepted":
        run.bench.left[Mark.STATION_CERTIFICATE] = run.log.case


async def invalid_event(run: StationCase, since: int) -> None:
    """The security event of a refused certificate (A02.FR.07), sent from ``since`` on."""
    words = WORDS[run.version]
    run.step(f"The station tells the security event {words.invalid_event}")
    received = await run.expect(
        "SecurityEventNotification",
        where=lambda item: item.call.payload.get("type") == words.invalid_event,
        what=f"SecurityEventNotification of type {words.invalid_event}",
        since=since,
    )
    run.log.check(
        f"SecurityEventNotification's type is {words.invalid_event}",
        received.call.payload.get("type") == words.invalid_event,
        expected=words.invalid_event,
        observed=received.call.payload.get("type"),
    )
