"""The CA certificates the charging-station suite installs, named and tidied up: what the cases
of certificate management share in both versions (1.6 security extension: InstallCertificate,
GetInstalledCertificateIds, DeleteCertificate; 2.0.1 M03-M05).

The suite makes its own roots (:func:`new_root`): self-signed, on a fresh P-256 key, valid from
a day ago for a year, or expired (valid for ten days that ended twenty days ago). It recognises
them in a GetInstalledCertificateIds answer by its own calculation of their
CertificateHashDataType (``protocol/certificates.py``), in the hashAlgorithm the station
reported (M04.FR.07: the station chooses it). Every certificate a case installs is deleted when
the case ends (:meth:`StationCase.on_close`), so a station leaves each case with the store it
came with.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, overload

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from chargeyard.conformance.endings import CaseEnded, NotApplicable
from chargeyard.conformance.station_under_test.case import StationCase
from chargeyard.protocol.certificates import read_certificate, same_certificate
from chargeyard.protocol.messages import v16

Payload = dict[str, Any]
_ALGORITHMS = ("SHA256", "SHA384", "SHA512")


def new_root(common_name: str, *, expired: bool = False) -> str:
    """A self-signed CA certificate as PEM text, as InstallCertificate carries it."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.now(UTC)
    start, days = (now - timedelta(days=30), 10) if expired else (now - timedelta(days=1), 365)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


def listed(answer: Mapping[str, Any]) -> list[tuple[str | None, Payload]]:
    """Each certificate a GetInstalledCertificateIds answer names: its certificateType (2.0.1's
    certificateHashDataChain; None in 1.6, which lists one type) and its hash data."""
    if "certificateHashDataChain" in answer:
        return [
            (item.get("certificateType"), item.get("certificateHashData") or {})
            for item in answer.get("certificateHashDataChain") or []
        ]
    return [(None, item) for item in answer.get("certificateHashData") or []]


@overload
def reported(
    answer: v16.GetInstalledCertificateIdsResponse, pem: str, kind: str | None = None
) -> v16.CertificateHashDataType | None: ...


@overload
def reported(answer: Payload, pem: str, kind: str | None = None) -> Payload | None: ...


def reported(answer: Mapping[str, Any], pem: str, kind: str | None = None) -> Any:
    """The hash data with which ``answer`` names ``pem`` (as ``kind`` where it says types);
    None when it does not name it."""
    certificate = read_certificate(pem)
    for listed_kind, names in listed(answer):
        algorithm = names.get("hashAlgorithm")
        if algorithm not in _ALGORITHMS or (kind and listed_kind not in (None, kind)):
            continue
        if same_certificate(names, certificate.hash_data(algorithm)):
            return names
    return None


async def install(run: StationCase, kind: str, pem: str) -> str | None:
    """InstallCertificate of ``pem`` as a ``kind``: its status. One the station accepted is
    deleted when the case ends.

    Raises:
        NotApplicable: the station does not implement InstallCertificate.
        CaseEnded: it answered with another CALLERROR.
    """
    answer = await run.ask("InstallCertificate", {"certificateType": kind, "certificate": pem})
    if answer.error_code in ("NotImplemented", "NotSupported"):
        raise NotApplicable(f"the station does not manage certificates ({answer.error_code})")
    if answer.payload is None:
        run.log.check(
            "the station answers InstallCertificate with a CALLRESULT",
            False,
            expected="CALLRESULT",
            observed=f"CALLERROR {answer.error_code}: {answer.error_description}",
        )
        raise CaseEnded(f"the station answered InstallCertificate with {answer.error_code}")
    status = answer.payload.get("status")
    if status == "Accepted":
        names = read_certificate(pem).hash_data()

        async def delete() -> None:
            await run.ask("DeleteCertificate", {"certificateHashData": names})

        run.on_close(_tidy_name(pem), delete)
    return status if isinstance(status, str) else None


def forget(run: StationCase, pem: str) -> None:
    """The case deleted ``pem`` itself: nothing to tidy up."""
    run.forget(_tidy_name(pem))


async def installed(run: StationCase, kind: str | list[str] | None) -> Payload:
    """GetInstalledCertificateIds of ``kind`` (1.6: one type; 2.0.1: a list, or None for every
    type): the answer, which must be a CALLRESULT."""
    payload: Payload = {} if kind is None else {"certificateType": kind}
    return await run.call("GetInstalledCertificateIds", payload)


def _tidy_name(pem: str) -> str:
    return f"certificate {read_certificate(pem).hash_data()['serialNumber']}"
