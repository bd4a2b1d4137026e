"""The central system as the stations' certificate authority: SignCertificate Accepted for a CSR
it may sign, then CertificateSigned with a certificate of the CSR's key (OCPP 2.0.1 A02/A03,
the 1.6 security extension); Rejected for a CSR it may not, and for a V2G certificate."""

from __future__ import annotations

import asyncio
import stat
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from cryptography import x509
from websockets.asyncio.client import ClientConnection, connect

from chargeyard.csms.authority import AuthorityError, CertificateAuthority, authority_for
from chargeyard.csms.server import CsmsServer, CsmsSettings
from chargeyard.store import Store
from chargeyard.store.models import NotificationKind
from tests.certificates import make_csr
from tests.csms.wire import exchange, url


@pytest.fixture
def authority(tmp_path: Path) -> CertificateAuthority:
    return CertificateAuthority.in_data_dir(tmp_path / "data")


@pytest.fixture
async def signing_csms(store: Store, authority: CertificateAuthority) -> AsyncIterator[CsmsServer]:
    await store.stations.register("CP-1")
    settings = CsmsSettings(port=0, heartbeat_interval=60, retention=None, authority=authority)
    async with CsmsServer(store, settings) as server:
        yield server


async def _next_frame(websocket: ClientConnection) -> list[Any]:
    frame: list[Any] = orjson.loads(await asyncio.wait_for(websocket.recv(), 5))
    return frame


async def _signed(
    csms: CsmsServer, payload: dict[str, Any], subprotocol: str, status: str = "Accepted"
) -> tuple[list[Any], list[Any]]:
    """SignCertificate's answer, then the CertificateSigned CALL (answered ``status``)."""
    async with connect(url(csms), subprotocols=[subprotocol]) as websocket:  # type: ignore[list-item]
        answer = await exchange(websocket, [2, "s1", "SignCertificate", payload])
        call = await _next_frame(websocket)
        await websocket.send(orjson.dumps([3, call[1], {"status": status}]).decode())
        await asyncio.sleep(0.2)  # the outcome is kept after the answer
    return answer, call


async def test_a02_fr_11_a_valid_csr_is_signed_and_sent(
    signing_csms: CsmsServer, store: Store, authority: CertificateAuthority
) -> None:
    csr, key = make_csr("CP-1")
    answer, call = await _signed(
        signing_csms, {"csr": csr, "certificateType": "ChargingStationCertificate"}, "ocpp2.0.1"
    )
    assert answer == [3, "s1", {"status": "Accepted"}]
    assert call[:1] + call[2:3] == [2, "CertificateSigned"]
    assert call[3]["certificateType"] == "ChargingStationCertificate"  # A02.FR.14
    certificate = x509.load_pem_x509_certificate(call[3]["certificateChain"].encode())
    assert certificate.public_key() == key.public_key()
    assert certificate.subject == x509.load_pem_x509_csr(csr.encode()).subject
    certificate.verify_directly_issued_by(authority.certificate)
    kept = await store.notifications.history("CP-1", kind=NotificationKind.CERTIFICATE)
    outcomes = {(n.action, n.status) for n in kept}
    assert outcomes == {("SignCertificate", "Accepted"), ("CertificateSigned", "Accepted")}
    [told] = [n for n in kept if n.action == "CertificateSigned"]
    assert orjson.loads(told.detail or "")["serialNumber"] == format(certificate.serial_number, "x")


async def test_16_sign_certificate_is_signed_without_a_type(
    signing_csms: CsmsServer, store: Store
) -> None:
    csr, _ = make_csr("CP-1")
    answer, call = await _signed(signing_csms, {"csr": csr}, "ocpp1.6", status="Rejected")
    assert answer == [3, "s1", {"status": "Accepted"}]
    assert call[2] == "CertificateSigned"
    assert set(call[3]) == {"certificateChain"}
    kept = await store.notifications.history("CP-1", kind=NotificationKind.CERTIFICATE)
    assert ("CertificateSigned", "Rejected") in {(n.action, n.status) for n in kept}


@pytest.mark.parametrize(
    ("csr", "reason"),
    [
        (make_csr("CP-2")[0], "is not the station's identity"),
        (make_csr("CP-1", organization=None)[0], "no O (organizationName)"),
        ("-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----", "PKCS"),
        ("not a CSR", "not a PEM"),
    ],
    ids=["another-cn", "no-organization", "unreadable", "no-pem"],
)
async def test_a02_fr_12_a_csr_that_may_not_be_signed_is_rejected(
    signing_csms: CsmsServer, store: Store, csr: str, reason: str
) -> None:
    async with connect(url(signing_csms), subprotocols=["ocpp2.0.1"]) as websocket:  # type: ignore[list-item]
        answer = await exchange(websocket, [2, "s1", "SignCertificate", {"csr": csr}])
        with pytest.raises(TimeoutError):  # nothing is sent
            await asyncio.wait_for(websocket.recv(), 0.3)
    assert answer[2]["status"] == "Rejected"
    assert answer[2]["statusInfo"]["reasonCode"] == "InvalidCSR"
    assert reason in answer[2]["statusInfo"]["additionalInfo"]
    [kept] = await store.notifications.history("CP-1", kind=NotificationKind.CERTIFICATE)
    assert (kept.action, kept.status) == ("SignCertificate", "Rejected")


async def test_a02_a_v2g_certificate_is_still_rejected(signing_csms: CsmsServer) -> None:
    csr, _ = make_csr("CP-1")
    payload = {"csr": csr, "certificateType": "V2GCertificate"}
    async with connect(url(signing_csms), subprotocols=["ocpp2.0.1"]) as websocket:  # type: ignore[list-item]
        answer = await exchange(websocket, [2, "s1", "SignCertificate", payload])
    assert answer[2]["status"] == "Rejected"
    assert answer[2]["statusInfo"]["reasonCode"] == "UnsupportedRequest"


def test_the_ca_is_made_once_readable_by_its_owner_only(tmp_path: Path) -> None:
    first = CertificateAuthority.in_data_dir(tmp_path)
    assert stat.S_IMODE((tmp_path / "ca-key.pem").stat().st_mode) == 0o600
    again = authority_for(tmp_path)
    assert again.certificate == first.certificate
    given = authority_for(tmp_path / "elsewhere", tmp_path / "ca-cert.pem", tmp_path / "ca-key.pem")
    assert given.certificate == first.certificate
    with pytest.raises(AuthorityError):
        authority_for(tmp_path, tmp_path / "ca-cert.pem", None)
    CertificateAuthority.in_data_dir(tmp_path / "other")
    with pytest.raises(AuthorityError, match="not the CA certificate's key"):
        authority_for(tmp_path, tmp_path / "ca-cert.pem", tmp_path / "other" / "ca-key.pem")
