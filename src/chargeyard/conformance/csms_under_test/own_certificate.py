"""The suite's station renewing its own certificate with the CSMS under test: the moves of the
CSMS cases of OCPP 2.0.1 A02 (Part 6's Reusable State RenewChargingStationCertificate) and of
the 1.6 security extension's "Update Charge Point Certificate by request of Central System".

:func:`renewal` plays it: the CSMS asks (through the trigger) for the renewal, 2.0.1
TriggerMessage SignChargingStationCertificate (F06.FR.01), 1.6 ExtendedTriggerMessage
SignChargePointCertificate; the station answers Accepted, makes a new P-256 key and sends
SignCertificate with its CSR (the station's identity as CN, an O: A00.FR.509, 511), which the
CSMS must answer Accepted (A02.FR.11); then the CSMS must send CertificateSigned, whose chain
the station checks: PEM certificates, the first for the key of the CSR it sent ("generated from
the received CSR"), naming the station as the CSR did, with certificateType
ChargingStationCertificate in 2.0.1 (A02.FR.14, a recommendation: its absence fails
conformance only). The station answers as the case says: Accepted, or Rejected as a station
that found the certificate invalid does (A02.FR.07), and then tells the security event the case
names (1.6 InvalidChargePointCertificate), which the CSMS must answer.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from chargeyard.conformance.csms_under_test.case import CsmsCaseBase, Payload, now
from chargeyard.conformance.endings import CaseEnded
from chargeyard.conformance.verdicts import Weight
from chargeyard.protocol import V16, V21, V201, VersionTable

ORGANIZATION = "chargeyard conformance"
STATION_CERTIFICATE = "ChargingStationCertificate"


@dataclass(frozen=True, slots=True)
class _Words:
    """How a version asks for the renewal and carries the request."""

    trigger: str
    requested: str
    certificate_type: str | None


# 2.1 keeps A02's TriggerMessage and certificate type.
_WORDS_2 = _Words("TriggerMessage", "SignChargingStationCertificate", STATION_CERTIFICATE)

WORDS: VersionTable[_Words] = VersionTable(
    "how a CSMS asks a station to renew its certificate",
    {
        V16: _Words("ExtendedTriggerMessage", "SignChargePointCertificate", None),
        V201: _WORDS_2,
        V21: _WORDS_2,
    },
)


def signing_request(identity: str) -> tuple[str, ec.EllipticCurvePrivateKey]:
    """A new key and the PEM CSR of it, as a station makes them (A02.FR.02, 03)."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, identity),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANIZATION),
        ]
    )
    request = (
        x509.CertificateSigningRequestBuilder().subject_name(subject).sign(key, hashes.SHA256())
    )
    return request.public_bytes(serialization.Encoding.PEM).decode(), key


async def renewal(
    run: CsmsCaseBase, *, answer: str = "Accepted", security_event: str | None = None
) -> None:
    """The renewal (see the module docstring); the station answers CertificateSigned
    ``answer`` and, when given, then sends ``security_event``."""
    words = WORDS[run.target.version]
    run.log.step(f"The CSMS asks the station to renew its certificate: {words.trigger}")
    call = await run.order(
        words.trigger,
        {"requestedMessage": words.requested},
        "ask the station to renew its own certificate",
    )
    asked = call.payload.get("requestedMessage")
    run.log.check(
        f"{words.trigger}'s requestedMessage is {words.requested}",
        asked == words.requested,
        expected=words.requested,
        observed=asked,
    )
    await run.answered(call, {"status": "Accepted"})
    await run.order_done()

    run.log.step("The station sends SignCertificate with the CSR of a new key")
    csr, key = signing_request(run.target.identity)
    request: Payload = {"csr": csr}
    if words.certificate_type is not None:
        request["certificateType"] = words.certificate_type
    signed = await run.call("SignCertificate", request)
    run.log.check(
        "SignCertificate's answer is Accepted (A02.FR.11)",
        signed.get("status") == "Accepted",
        expected="Accepted",
        observed=signed.get("status"),
    )
    if signed.get("status") != "Accepted":
        raise CaseEnded("the CSMS did not accept the certificate signing request")

    run.log.step("The CSMS sends CertificateSigned with a certificate of the CSR's key")
    sent = await run.peer.expect("CertificateSigned", within=run.target.step_s)
    _chain_checked(run, sent.payload, key, csr, words.certificate_type)
    run.log.step(f"The station answers {answer}")
    await run.answered(sent, {"status": answer})
    if security_event is not None:
        run.log.step(f"The station tells the security event {security_event}")
        await run.call("SecurityEventNotification", {"type": security_event, "timestamp": now()})


def _chain_checked(
    run: CsmsCaseBase,
    payload: Payload,
    key: ec.EllipticCurvePrivateKey,
    csr: str,
    certificate_type: str | None,
) -> None:
    text = payload.get("certificateChain")
    try:
        chain = x509.load_pem_x509_certificates(str(text).encode())
    except ValueError:
        chain = []
    run.log.check(
        "CertificateSigned's certificateChain is PEM X.509 certificates",
        bool(chain),
        expected="one or more PEM certificates",
        observed=f"{len(chain)} certificates" if chain else "not PEM certificates",
    )
    if not chain:
        return
    run.log.check(
        "CertificateSigned's first certificate is for the key of the CSR the station sent",
        chain[0].public_key() == key.public_key(),
        expected="the CSR's public key",
        observed="the CSR's public key"
        if chain[0].public_key() == key.public_key()
        else "another key",
    )
    subject = x509.load_pem_x509_csr(csr.encode()).subject
    run.log.check(
        "CertificateSigned's certificate names the station as its CSR did",
        chain[0].subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        == subject.get_attributes_for_oid(NameOID.COMMON_NAME),
        expected=subject.rfc4514_string(),
        observed=chain[0].subject.rfc4514_string(),
    )
    if certificate_type is not None:
        run.log.check(
            f"CertificateSigned's certificateType is {certificate_type} (A02.FR.14)",
            payload.get("certificateType") == certificate_type,
            weight=Weight.SPEC,
            expected=certificate_type,
            observed=payload.get("certificateType", "absent"),
        )
