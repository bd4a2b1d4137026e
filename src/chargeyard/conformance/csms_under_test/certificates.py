"""The CA certificates the suite's station keeps during a CSMS case, and the moves of the
certificate-management cases (1.6 security extension: InstallCertificate,
GetInstalledCertificateIds, DeleteCertificate; 2.0.1 M05, M03, M04).

The station keeps them in memory (:class:`CertificateStore`), each named as
``protocol/certificates.py`` names it: InstallCertificate adds one it can read and answers
Accepted (M05.FR.02; a text that is not one certificate is Rejected, M05.FR.07);
GetInstalledCertificateIds answers the ids of those of the uses asked for, in the hash
algorithm the case picks (Accepted with their hash data, M03.FR.03 and M03.FR.04; NotFound,
M03.FR.02); DeleteCertificate removes the one its id names (Accepted, M04.FR.02; NotFound,
M04.FR.04). A case answers Failed where Part 6 has the station fail (M05.FR.03, M04.FR.03).

What the CSMS is held to: the use the case asked it to install, one readable PEM certificate
in its InstallCertificate, the uses its GetInstalledCertificateIds names, and a
DeleteCertificate naming a certificate by the id the station reported, in the hash algorithm
it reported it in (M04.FR.07).

To install, the suite offers one of its own roots (:data:`SUITE_ROOTS`), which an automatic
trigger sends; a CSMS that a person drives may install its own.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field

from chargeyard.conformance.csms_under_test.case import CsmsCaseBase, Payload
from chargeyard.conformance.endings import CaseEnded
from chargeyard.protocol import V16, V21, V201, VersionTable
from chargeyard.protocol.certificates import (
    Certificate,
    CertificateError,
    HashAlgorithm,
    read_certificate,
    same_certificate,
)
from chargeyard.protocol.messages import v201

# Self-signed roots (ECDSA P-256, valid 2026 to 2045), the suite's to offer.
_CSMS_ROOT = """-----BEGIN CERTIFICATE-----
MIIBbDCCARGgAwIBAgIUCVYfpyimKygtQkiUmz80g/RcrEUwCgYIKoZIzj0EAwIw
KzEpMCcGA1UEAwwgY2hhcmdleWFyZCBjb25mb3JtYW5jZSBDU01TIHJvb3QwHhcN
MjYwMTAxMDAwMDAwWhcNNDUxMjI3MDAwMDAwWjArMSkwJwYDVQQDDCBjaGFyZ2V5
YXJkIGNvbmZvcm1hbmNlIENTTVMgcm9vdDBZMBMGByqGSM49AgEGCCqGSM49AwEH
A0IABHDjT3SIgJsnGjFrneBchJSvyXJcMn+gTPfJqzViAzUopKp3kJ3Q0ImU3ZI0
8sHXteL7xUtRqh2DkHUs3cozZkajEzARMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZI
zj0EAwIDSQAwRgIhAMuZOL3syZNSBI2zIxdRCZ+6GIX4XKSvIOeX+9E1JbsYAiEA
sQ2t5dLpk11plZFmSTEHvjCuyOdDnx9UpfoeXYu77Q4=
-----END CERTIFICATE-----
"""
_MANUFACTURER_ROOT = """-----BEGIN CERTIFICATE-----
MIIBfDCCASGgAwIBAgIUWojk1RYxZB9sE6y/JVz5z7h041IwCgYIKoZIzj0EAwIw
MzExMC8GA1UEAwwoY2hhcmdleWFyZCBjb25mb3JtYW5jZSBtYW51ZmFjdHVyZXIg
cm9vdDAeFw0yNjAxMDEwMDAwMDBaFw00NTEyMjcwMDAwMDBaMDMxMTAvBgNVBAMM
KGNoYXJnZXlhcmQgY29uZm9ybWFuY2UgbWFudWZhY3R1cmVyIHJvb3QwWTATBgcq
hkjOPQIBBggqhkjOPQMBBwNCAASxelhuebW0jkCoQwPbPFrj9xOL66QwRyUiuyGt
0xiXnIPxaprmEXzmKBO9TjmZSbzpGdVfwNcAp6v1XUPjsj4noxMwETAPBgNVHRMB
Af8EBTADAQH/MAoGCCqGSM49BAMCA0kAMEYCIQCJpiDiLVj3zEsH+zoF4qH4bWLS
OlDrNfnwR54WqOrbsAIhALLpTKrKC8A9hWfmJuCTotPpTX+WZ4K5H+HpQtSiqAvB
-----END CERTIFICATE-----
"""
SUITE_ROOTS: dict[str, str] = {
    "CentralSystemRootCertificate": _CSMS_ROOT,  # 1.6's name
    "CSMSRootCertificate": _CSMS_ROOT,
    "ManufacturerRootCertificate": _MANUFACTURER_ROOT,
}
"""The root the suite offers for each use, by the use's name in either version."""

Found = list[tuple[str, v201.CertificateHashDataType]]
"""Certificate ids the station reported: (use, CertificateHashDataType)."""


@dataclass(slots=True)
class CertificateStore:
    """The CA certificates the station keeps: (use as its version names it, certificate)."""

    kept: list[tuple[str, Certificate]] = field(default_factory=list)

    def install(self, use: str, pem: str) -> str:
        """Keep ``pem`` as a certificate of ``use``: Accepted, or Rejected if unreadable."""
        try:
            self.kept.append((use, read_certificate(pem)))
        except CertificateError:
            return "Rejected"
        return "Accepted"

    def ids(self, uses: Collection[str], algorithm: HashAlgorithm) -> Found:
        """The ids of the certificates of ``uses`` (empty: every use), hashed with
        ``algorithm``."""
        return [
            (use, certificate.hash_data(algorithm))
            for use, certificate in self.kept
            if not uses or use in uses
        ]

    def delete(self, named: Payload) -> str:
        """Delete the certificate ``named`` names: Accepted, or NotFound."""
        algorithm = named.get("hashAlgorithm")
        if algorithm not in ("SHA256", "SHA384", "SHA512"):
            return "NotFound"
        kept = [
            (use, certificate)
            for use, certificate in self.kept
            if not same_certificate(certificate.hash_data(algorithm), named)
        ]
        found = len(kept) < len(self.kept)
        self.kept = kept
        return "Accepted" if found else "NotFound"


@dataclass(frozen=True, slots=True)
class _IdWords:
    """How a version asks for installed certificate ids and answers: the request for
    ``uses``, the uses a request names (None: every use), the answer of what was found."""

    request: Callable[[Sequence[str]], Payload]
    asked: Callable[[Payload], list[str] | None]
    answer: Callable[[Found], Payload]


def _asked_16(payload: Payload) -> list[str] | None:
    use = payload.get("certificateType")
    return [use] if isinstance(use, str) else None


def _answer_16(found: Found) -> Payload:
    if not found:
        return {"status": "NotFound"}
    return {"status": "Accepted", "certificateHashData": [data for _, data in found]}


def _asked_201(payload: Payload) -> list[str] | None:
    uses = payload.get("certificateType")
    return [str(use) for use in uses] if isinstance(uses, list) else None


def _answer_201(found: Found) -> Payload:
    if not found:
        return {"status": "NotFound"}
    chains = [{"certificateType": use, "certificateHashData": data} for use, data in found]
    return {"status": "Accepted", "certificateHashDataChain": chains}


_ID_WORDS_2 = _IdWords(
    lambda uses: {"certificateType": list(uses)} if uses else {}, _asked_201, _answer_201
)

ID_WORDS: VersionTable[_IdWords] = VersionTable(
    "how installed certificate ids are asked for and answered",
    {
        # 1.6 security extension: GetInstalledCertificateIds names exactly one type.
        V16: _IdWords(lambda uses: {"certificateType": uses[0]}, _asked_16, _answer_16),
        # 2.0.1 M03 (2.1 keeps it): a list of types, or none for every type.
        V201: _ID_WORDS_2,
        V21: _ID_WORDS_2,
    },
)


def _unreadable(pem: object) -> str | None:
    """Why ``pem`` is not one PEM certificate, or None."""
    if not isinstance(pem, str):
        return f"not a text: {pem!r}"
    try:
        read_certificate(pem)
    except CertificateError as error:
        return str(error)
    return None


async def installed(
    run: CsmsCaseBase, store: CertificateStore, use: str, *, status: str = "Accepted"
) -> None:
    """Reusable State CertificateInstalled: the CSMS sends InstallCertificate of ``use``; the
    station keeps it and answers Accepted, or answers ``status`` (Failed) and keeps nothing."""
    run.log.step(f"The CSMS installs a {use}: InstallCertificate")
    call = await run.order(
        "InstallCertificate",
        {"certificateType": use, "certificate": SUITE_ROOTS[use]},
        f"install a {use} on the station",
    )
    sent = call.payload.get("certificateType")
    run.log.check(
        f"InstallCertificate's certificateType is {use}", sent == use, expected=use, observed=sent
    )
    pem = call.payload.get("certificate")
    why = _unreadable(pem)
    run.log.check(
        "InstallCertificate's certificate is one PEM X.509 certificate",
        why is None,
        expected="one PEM certificate",
        observed=why or "one PEM certificate",
    )
    if status == "Accepted" and isinstance(pem, str):
        status = store.install(str(sent), pem)
    run.log.step(f"The station answers {status}")
    await run.answered(call, {"status": status})
    await run.order_done()


async def ids_asked(
    run: CsmsCaseBase,
    store: CertificateStore,
    uses: Sequence[str],
    algorithm: HashAlgorithm = "SHA256",
    *,
    exactly: bool = True,
) -> Found:
    """Reusable State GetInstalledCertificates: the CSMS asks for the ids of ``uses`` (empty:
    every use, 2.0.1 only), which it must name exactly (``exactly``; else naming one of them
    or none will do); the station answers the ids of what it keeps of them, hashed with
    ``algorithm``. Returns what the station reported."""
    words = ID_WORDS[run.target.version]
    what = " and ".join(uses) or "every"
    run.log.step(f"The CSMS asks for the ids of the station's {what} certificates")
    call = await run.order(
        "GetInstalledCertificateIds",
        words.request(uses),
        f"ask for the ids of the station's installed {what} certificates",
    )
    asked = words.asked(call.payload)
    if exactly:
        run.log.check(
            f"GetInstalledCertificateIds's certificateType is {what}",
            (sorted(asked) if asked else []) == sorted(uses),
            expected=list(uses) or "absent (every use)",
            observed=asked if asked is not None else "absent",
        )
    else:
        run.log.check(
            f"GetInstalledCertificateIds's certificateType has {what} or is absent",
            asked is None or set(uses) <= set(asked),
            expected=f"{list(uses)} among them, or absent",
            observed=asked if asked is not None else "absent",
        )
    found = store.ids(asked or [], algorithm)
    answer = words.answer(found)
    run.log.step(f"The station answers {answer['status']}, ids hashed with {algorithm}")
    await run.answered(call, answer)
    await run.order_done()
    return found


def reported(found: Found, use: str) -> v201.CertificateHashDataType:
    """The id of the first certificate of ``use`` the station reported.

    Raises:
        CaseEnded: it reported none (the CSMS asked for other uses).
    """
    for found_use, data in found:
        if found_use == use:
            return data
    raise CaseEnded(f"the station reported no {use}: there is nothing to delete")


async def deleted(
    run: CsmsCaseBase,
    store: CertificateStore,
    named: v201.CertificateHashDataType,
    *,
    status: str | None = None,
) -> None:
    """The CSMS deletes the certificate the station reported as ``named``, with that id in
    its hash algorithm (M04.FR.07); the station deletes it (Accepted) or answers ``status``
    (Failed) and keeps it."""
    run.log.step("The CSMS deletes the certificate: DeleteCertificate")
    call = await run.order(
        "DeleteCertificate",
        {"certificateHashData": named},
        f"delete the station's certificate of serial number {named['serialNumber']}",
    )
    sent = call.payload.get("certificateHashData")
    sent = sent if isinstance(sent, dict) else {}
    run.log.check(
        f"DeleteCertificate's hashAlgorithm is {named['hashAlgorithm']}, as the station"
        " reported the certificate",
        sent.get("hashAlgorithm") == named["hashAlgorithm"],
        expected=named["hashAlgorithm"],
        observed=sent.get("hashAlgorithm"),
    )
    run.log.check(
        "DeleteCertificate's certificateHashData is the id the station reported",
        same_certificate(sent, named),
        expected=named,
        observed=sent,
    )
    answer = status or store.delete(sent)
    run.log.step(f"The station answers {answer}")
    await run.answered(call, {"status": answer})
    await run.order_done()


def keeping(*uses: str) -> CertificateStore:
    """A station that came with the suite's root of each of ``uses``."""
    store = CertificateStore()
    for use in uses:
        store.install(use, SUITE_ROOTS[use])
    return store
